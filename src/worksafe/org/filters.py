import django_filters

from worksafe.core.filters import FilterSet

from .models import Department, Division, User


class DepartmentFilter(FilterSet):
    q = django_filters.CharFilter(label="名称", method="search")
    kind = django_filters.ChoiceFilter(label="类型", choices=Department.Kind.choices)
    division = django_filters.ModelChoiceFilter(label="区划", queryset=Division.objects.all())

    class Meta:
        model = Department
        fields = ["q", "kind", "division"]

    def search(self, qs, name, value):
        return qs.filter(name__icontains=value) | qs.filter(aliases__icontains=value) | qs.filter(
            short_name__icontains=value)


class UserFilter(FilterSet):
    q = django_filters.CharFilter(label="姓名或用户名", method="search")

    class Meta:
        model = User
        fields = ["q"]

    def search(self, qs, name, value):
        return qs.filter(username__icontains=value) | qs.filter(display_name__icontains=value)
