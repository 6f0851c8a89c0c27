from rest_framework import serializers

from worksafe.core.api import ScopedReadOnlyViewSet

from .models import Enterprise


class EnterpriseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Enterprise
        fields = ["id", "name", "credit_code", "township", "sectors", "address", "status"]


class EnterpriseViewSet(ScopedReadOnlyViewSet):
    queryset = Enterprise.objects.all()
    serializer_class = EnterpriseSerializer
    prefetch_related = ("sectors",)
    filterset_fields = ["township", "status", "sectors"]


def register(router):
    router.register("enterprises", EnterpriseViewSet)
