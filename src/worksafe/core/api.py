"""API pieces every app shares: scoped viewsets and the error format (bounded pagination:
``core/pagination.py``; the documented error responses: ``core/schema.py``)."""

from rest_framework import viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .services import ServiceError

#: ids in API paths: digits only, at most 18 (a bigger number fits no database's integer: 404, not 500)
ID_PATTERN = "[0-9]{1,18}"


def exception_handler(exc, context):
    if isinstance(exc, ServiceError):
        data = {"detail": exc.message}
        if exc.field:
            data["field"] = exc.field
        return Response(data, status=exc.status_code)
    return drf_exception_handler(exc, context)


class ScopedViewSetMixin:
    """Every API list and detail starts from ``Model.objects.visible_to(user)``; an id that is not
    a number answers 404 like an id outside the scope."""

    lookup_value_regex = ID_PATTERN
    select_related: tuple = ()
    prefetch_related: tuple = ()

    def get_queryset(self):
        qs = self.queryset.model.objects.visible_to(self.request.user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs.order_by(*(self.queryset.query.order_by or self.queryset.model._meta.ordering or ["pk"]))


class ScopedReadOnlyViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    pass

