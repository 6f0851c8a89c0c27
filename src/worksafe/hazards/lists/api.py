"""API of the measures list."""

from rest_framework import serializers

from worksafe.core.api import ScopedReadOnlyViewSet

from .filters import MeasureFilter
from .models import Measure


class MeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = Measure
        fields = "__all__"



class MeasureViewSet(ScopedReadOnlyViewSet):
    queryset = Measure.objects.all()
    serializer_class = MeasureSerializer
    filterset_class = MeasureFilter
