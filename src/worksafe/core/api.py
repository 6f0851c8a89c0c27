"""API pieces every app shares: scoped viewsets and the error format (bounded pagination:
``core/pagination.py``; the documented error responses: ``core/schema.py``)."""

from rest_framework import serializers, viewsets
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from .services import ServiceError

#: ids in API paths: digits only, at most 18 (a bigger number fits no database's integer: 404, not 500)
ID_PATTERN = "[0-9]{1,18}"


def visible_or_400(queryset, pk, field: str):
    """The row ``pk`` of a scoped ``queryset`` named in a request body, or a 400 on ``field``: an id
    in the body that is unknown or out of the caller's sight is bad input, not a missing resource
    (404 is for ids in the path), and the two cases read the same so the answer leaks nothing."""
    obj = queryset.filter(pk=pk).first()
    if obj is None:
        raise serializers.ValidationError({field: ["不存在或无权查看。"]})
    return obj


def _first_error(errors, path=()):
    """The first message of a DRF error structure and the dotted field it belongs to."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            found = _first_error(value, (*path, str(key)))
            if found:
                return found
        return None
    if isinstance(errors, list):
        for i, value in enumerate(errors):
            found = _first_error(value, path if isinstance(value, str) or not path else (*path, str(i)))
            if found:
                return found
        return None
    return str(errors), ".".join(p for p in path if p != "non_field_errors")


def _label(context, field: str) -> str:
    """The field's label in the view's serializer (its name when there is none)."""
    try:
        serializer = context["view"].get_serializer()
        return str(serializer.fields[field.split(".")[0]].label or field)
    except Exception:  # no serializer, a filter parameter, a nested name: the name will do
        return field


def exception_handler(exc, context):
    """One error format for every refusal (docs/api.md): ``{"detail": str, "field"?: str,
    "errors"?: {field: [str]}}``. Field errors of a serializer or a filterset keep their per-field
    lists under ``errors``; ``detail`` and ``field`` name the first of them."""
    if isinstance(exc, ServiceError):
        data = {"detail": exc.message}
        if exc.field:
            data["field"] = exc.field
        return Response(data, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if isinstance(data, dict) and isinstance(data.get("detail"), str) and set(data) <= {"detail", "field"}:
        return response
    found = _first_error(data)
    detail, field = found if found else ("请求有误。", "")
    if field and ":" not in detail and ":" not in detail:
        detail = f"{_label(context, field)}:{detail}"
    out = {"detail": detail}
    if field:
        out["field"] = field
    if isinstance(data, dict):
        out["errors"] = data
    elif isinstance(data, list):
        out["errors"] = {"non_field_errors": data}
    response.data = out
    return response


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



class JsonErrorMiddleware:
    """Every answer under ``/api/`` is JSON, errors included: a 404 from the URL resolver (an id
    that is not a number), a 413 from the request-size guard or a 500 page become the one error
    format ``{"detail": "…"}`` with the same status (the schema documents only JSON)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code >= 400 and request.path.startswith("/api/")
                and not request.path.startswith(("/api/docs", "/api/redoc"))
                and not response.get("Content-Type", "").startswith("application/json")):
            from django.http import JsonResponse

            from .schema import ERRORS

            detail = ERRORS.get(response.status_code) or (
                "服务器内部错误,请稍后重试。" if response.status_code >= 500 else "请求未被接受。")
            new = JsonResponse({"detail": detail}, status=response.status_code,
                               json_dumps_params={"ensure_ascii": False})
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    new[header] = response[header]
            return new
        return response
