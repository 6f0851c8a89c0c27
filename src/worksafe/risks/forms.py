from django import forms

from worksafe.core.filters import BootstrapFormMixin
from worksafe.org.models import Division
from worksafe.standards import hazchem_diagnosis, lec, risk_matrix

from .models import HazardSubstance, MajorHazardSource, RiskAssessment, RiskPoint


def _choices(table):
    return [("", "—")] + [(str(c.value), f"{c.value} {c.text}") for c in table]


class RiskPointForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = RiskPoint
        fields = ["name", "location", "hazards", "possible_accidents", "control_measures", "control_level",
                  "responsible_person"]
        widgets = {"hazards": forms.Textarea(attrs={"rows": 2}), "control_measures": forms.Textarea(attrs={"rows": 3})}


class AssessForm(BootstrapFormMixin, forms.Form):
    method = forms.ChoiceField(label="评价方法", choices=RiskAssessment.Method.choices)
    l_value = forms.ChoiceField(label="L 事故发生的可能性", choices=[])
    e_value = forms.ChoiceField(label="E 暴露于危险环境的频繁程度(LEC法)", choices=_choices(lec.E_TABLE),
                                required=False)
    c_value = forms.ChoiceField(label="C / S 后果严重程度", choices=[])
    note = forms.CharField(label="说明", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["l_value"].choices = [("LEC法", _choices(lec.L_TABLE)[1:]),
                                          ("风险矩阵法", [(f"m{c.value}", f"{c.value} {c.text}")
                                                          for c in risk_matrix.L_TABLE])]
        self.fields["c_value"].choices = [("LEC法", _choices(lec.C_TABLE)[1:]),
                                          ("风险矩阵法", [(f"m{c.value}", f"{c.value} {c.text}")
                                                          for c in risk_matrix.S_TABLE])]

    def values(self):
        d = self.cleaned_data
        l_value, c_value = d["l_value"].removeprefix("m"), d["c_value"].removeprefix("m")
        return d["method"], l_value, d["e_value"] or None, c_value


class SourceForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = MajorHazardSource
        fields = ["name", "unit_kind", "people_within_500m", "record_no"]


class SubstanceForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = HazardSubstance
        fields = ["name", "hazard_classes", "quantity_t", "beta"]


class DiagnosisForm(BootstrapFormMixin, forms.Form):
    """One deduction field per item of the 19号 table, the bonus lines and the direct-red conditions."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, item in hazchem_diagnosis.ITEMS.items():
            if item.points:
                self.fields[f"d_{code}"] = forms.DecimalField(
                    label=f"{code} {item.name}(满分{item.points})", required=False, min_value=0,
                    max_value=item.points, decimal_places=2)
        self.fields["bonuses"] = forms.MultipleChoiceField(
            label="加分项", required=False, widget=forms.CheckboxSelectMultiple,
            choices=[(c, f"{line.text}(+{line.points})") for c, line in hazchem_diagnosis.LINES.items()
                     if line.kind == "bonus"])
        self.fields["direct_red"] = forms.MultipleChoiceField(
            label="直接判定为红色的情形", required=False, widget=forms.CheckboxSelectMultiple,
            choices=[(c, r.text) for c, r in hazchem_diagnosis.DIRECT_RED.items()])
        from worksafe.core.filters import bootstrap
        bootstrap(self)
        for name in ("bonuses", "direct_red"):
            self.fields[name].widget.attrs.pop("class", None)

    def deductions(self):
        return {k[2:]: v for k, v in self.cleaned_data.items() if k.startswith("d_") and v}


class ProjectForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label="项目名称", max_length=200)
    township = forms.ModelChoiceField(label="所在乡镇", queryset=Division.objects.filter(level=Division.Level.TOWNSHIP))
    processes = forms.CharField(label="工艺/产品", widget=forms.Textarea(attrs={"rows": 4}), help_text="每行一个")
