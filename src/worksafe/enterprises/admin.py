from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Enterprise

admin.site.register(Enterprise, SimpleHistoryAdmin)
