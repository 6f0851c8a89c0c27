"""The OpenAPI schema: every operation documents its error responses (settings DEFAULT_SCHEMA_CLASS)."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="原因(中文)")
    field = serializers.CharField(required=False, help_text="出错的字段")
    errors = serializers.DictField(child=serializers.JSONField(), required=False,
                                   help_text="各字段的全部错误(字段 → 原因列表;嵌套字段按下标或键再分)")


ERRORS = {
    400: "请求有误(字段、筛选条件或取值不正确)",
    401: "未登录或令牌无效",
    403: "无权执行该操作",
    404: "不存在,或不在您的数据范围内",
    409: "记录已被他人修改(版本号过期)",
    413: "请求内容过大",
}


class WorksafeAutoSchema(AutoSchema):
    """Every operation documents the errors it can answer, in the one error format: 400, 401,
    403, 404 (with an id), 409 (writes to an object: a stale version), 413 (bodies)."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        path = self.path
        method = self.method.upper()
        codes = [400, 401, 403]
        if "{" in path:
            codes.append(404)
        if method in ("POST", "PUT", "PATCH") and "{" in path:
            codes.append(409)  # a step or an action with a stale version; a concurrent change
        if method in ("POST", "PUT", "PATCH"):
            codes.append(413)
        for code in codes:
            if str(code) not in responses:
                responses[str(code)] = self._get_response_for_code(
                    OpenApiResponse(ErrorSerializer, description=ERRORS[code]), str(code), direction=direction)
        return responses

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        """A read-only choice taken from a model field that may be blank can answer ``""``: DRF
        drops ``allow_blank`` from read-only fields, so the schema would not admit it."""
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, serializers.ChoiceField) and field.read_only and isinstance(schema, dict) \
                and "enum" in schema and "" not in schema["enum"]:
            model = getattr(getattr(getattr(field, "parent", None), "Meta", None), "model", None)
            try:
                blank = model._meta.get_field(field.source).blank if model is not None else False
            except Exception:  # a source that is no model field (a property, a dotted path)
                blank = False
            if blank:
                schema["enum"] = [*schema["enum"], ""]
        return schema
