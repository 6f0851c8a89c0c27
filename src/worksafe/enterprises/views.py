import django_filters

from worksafe.core.filters import FilterSet
from worksafe.core.views import ScopedDetailView, ScopedListView
from worksafe.org.models import Division
from worksafe.plans.models import Sector

from .models import Enterprise


class EnterpriseFilter(FilterSet):
    q = django_filters.CharFilter(label="名称或信用代码", method="search")
    township = django_filters.ModelChoiceFilter(label="乡镇",
                                                queryset=Division.objects.filter(level=Division.Level.TOWNSHIP))
    sectors = django_filters.ModelChoiceFilter(label="行业领域", queryset=Sector.objects.all())
    status = django_filters.ChoiceFilter(label="状态", choices=Enterprise.Status.choices)

    class Meta:
        model = Enterprise
        fields = ["q", "township", "sectors", "status"]

    def search(self, qs, name, value):
        return qs.filter(name__icontains=value) | qs.filter(credit_code__icontains=value)


class EnterpriseList(ScopedListView):
    model = Enterprise
    filterset_class = EnterpriseFilter
    select_related = ("township",)
    prefetch_related = ("sectors",)
    template_name = "enterprises/enterprise_list.html"


class EnterpriseDetail(ScopedDetailView):
    model = Enterprise
    select_related = ("township",)
    prefetch_related = ("sectors__sector_supervisors__department",)
    template_name = "enterprises/enterprise_detail.html"
