"""API pagination: bounded (settings REST_FRAMEWORK DEFAULT_PAGINATION_CLASS)."""

from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """``limit`` capped at ``max_limit`` (a huge one is the cap, not a table dump), ``offset``
    clamped below what any database integer holds."""

    default_limit = 50
    max_limit = 500
    max_offset = 10**15

    def get_offset(self, request):
        return min(super().get_offset(request), self.max_offset)

