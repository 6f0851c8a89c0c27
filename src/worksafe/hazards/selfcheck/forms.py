"""Forms of the enterprises' reports."""

from django import forms

from worksafe.core.filters import BootstrapFormMixin


class SignForm(BootstrapFormMixin, forms.Form):
    analysis = forms.CharField(label="统计分析", required=False, widget=forms.Textarea(attrs={"rows": 5}),
                               help_text="本期隐患排查治理工作情况、存在问题原因分析、下步措施")
    principal_signature = forms.CharField(label="主要负责人签字(姓名)", max_length=50)


class DualForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(label="情况说明", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="本月风险管控措施落实、隐患排查治理和整改情况的说明")
    principal_signature = forms.CharField(label="主要负责人签字(姓名)", max_length=50)
