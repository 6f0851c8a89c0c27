"""The register as an Excel sheet: upload an import (with its report) and export."""


from django import forms
from django.core.exceptions import PermissionDenied
from django.views.generic import FormView

from worksafe.core.filters import BootstrapFormMixin
from worksafe.core.services import ServiceError

from . import excel
from .views import EnterpriseList

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class RegisterImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(label="企业名册文件(.xlsx)",
                           help_text="表头须包含企业名称、统一社会信用代码、所在乡镇;表头可不在第一行,可有合并的标题行和空行")
    dry_run = forms.BooleanField(label="只检查,不写入", required=False)

    def clean_file(self):
        f = self.cleaned_data["file"]
        name = (f.name or "").lower()
        if name.endswith(".xls"):
            raise forms.ValidationError("不支持旧版.xls文件,请在Excel中另存为.xlsx后上传。")
        if not name.endswith((".xlsx", ".xlsm")):
            raise forms.ValidationError("请上传.xlsx格式的Excel文件。")
        if f.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件不能超过10MB,请分批导入。")
        return f


class RegisterImport(FormView):
    """Upload the register sheet; the page then shows what was created, updated and refused."""

    form_class = RegisterImportForm
    template_name = "enterprises/register_import.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not excel.can_import(request.user):
            raise PermissionDenied("只有县安委办、行业部门和乡镇工作人员可以导入企业名册。")
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["headers"] = [(main, others, f in excel.REQUIRED_FIELDS)
                          for f, (main, others) in excel.HEADER_MAP.items() if f != "seq"]
        return ctx

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            result = excel.import_register(upload, self.request.user, dry_run=form.cleaned_data["dry_run"],
                                           reason=f"Excel导入企业名册({upload.name})"[:100])
        except ServiceError as e:
            form.add_error("file", e.message)
            return self.form_invalid(form)
        return self.render_to_response(self.get_context_data(
            form=self.form_class(), result=result, source_name=upload.name))


class RegisterExport(EnterpriseList):
    """The register the user may see (filtered and sorted like the list page), in the import
    layout: the list's named export ``register`` (enterprises.tables.EnterpriseTable)."""

    export_name = "register"
    http_method_names = ["get"]
