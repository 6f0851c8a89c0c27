from rest_framework import serializers

from worksafe.core.api import ScopedReadOnlyViewSet

from .filters import DepartmentFilter, DivisionFilter, UserFilter
from .models import Department, Division, Membership, User


class DivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["id", "code", "name", "level", "parent", "latitude", "longitude"]


class DepartmentSerializer(serializers.ModelSerializer):
    aliases = serializers.ListField(source="alias_list", child=serializers.CharField(), read_only=True)

    class Meta:
        model = Department
        fields = ["id", "name", "short_name", "aliases", "kind", "division", "active"]


class MembershipSerializer(serializers.ModelSerializer):
    class Meta:
        model = Membership
        fields = ["id", "role", "department", "enterprise", "title", "active"]


class UserSerializer(serializers.ModelSerializer):
    memberships = MembershipSerializer(many=True, read_only=True)

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "memberships"]


class DivisionViewSet(ScopedReadOnlyViewSet):
    queryset = Division.objects.all()
    serializer_class = DivisionSerializer
    filterset_class = DivisionFilter


class DepartmentViewSet(ScopedReadOnlyViewSet):
    queryset = Department.objects.all()
    serializer_class = DepartmentSerializer
    filterset_class = DepartmentFilter


class UserViewSet(ScopedReadOnlyViewSet):
    queryset = User.objects.order_by("username")
    serializer_class = UserSerializer
    prefetch_related = ("memberships",)
    filterset_class = UserFilter


def register(router):
    router.register("divisions", DivisionViewSet)
    router.register("departments", DepartmentViewSet)
    router.register("users", UserViewSet)
