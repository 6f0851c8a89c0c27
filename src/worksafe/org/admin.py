from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from .models import Department, Division, Membership, UnitGroup, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0


@admin.register(User)
class WorksafeUserAdmin(UserAdmin, SimpleHistoryAdmin):
    inlines = [MembershipInline]
    fieldsets = UserAdmin.fieldsets + (("worksafe", {"fields": ("display_name", "phone")}),)
    list_display = ("username", "display_name", "is_active", "is_staff")


admin.site.register(Division, SimpleHistoryAdmin)
admin.site.register(Department, SimpleHistoryAdmin)
admin.site.register(UnitGroup, SimpleHistoryAdmin)
