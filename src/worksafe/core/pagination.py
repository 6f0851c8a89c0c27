"""API pagination: bounded (settings REST_FRAMEWORK DEFAULT_PAGINATION_CLASS)."""

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """``limit`` and ``offset`` must be whole numbers ≥ 0 (anything else answers 400, like a bad
    filter); ``limit`` is capped at ``max_limit`` (a huge one is the cap, not a table dump) and
    ``offset`` clamped below what any database integer holds."""

    default_limit = 50
    max_limit = 500
    max_offset = 10**15

    def _number(self, request, name):
        raw = request.query_params.get(name)
        if raw is None:
            return None
        if not (raw.isascii() and raw.isdigit()):
            raise ValidationError({name: [f"“{raw[:40]}”不是有效的非负整数。"]})
        return int(raw) if len(raw) <= 18 else 10**18

    def get_limit(self, request):
        n = self._number(request, self.limit_query_param)
        if n is None:
            return self.default_limit
        return min(max(n, 1), self.max_limit) if n else self.default_limit

    def get_offset(self, request):
        n = self._number(request, self.offset_query_param)
        return min(n or 0, self.max_offset)

    def get_schema_operation_parameters(self, view):
        params = super().get_schema_operation_parameters(view)
        for p in params:
            p["schema"] = {**p.get("schema", {}), "minimum": 0}
            if p["name"] == self.limit_query_param:
                p["description"] = f"每页条数(默认 {self.default_limit},最多 {self.max_limit},超出按最多)"
        return params
