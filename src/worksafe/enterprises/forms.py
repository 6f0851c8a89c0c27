from django import forms

from worksafe.core.filters import BootstrapFormMixin
from worksafe.org.models import Division, Sector

from .models import SELF_EDITABLE, Enterprise, Facility, GatheringPlace, Licence, SafetyManager


class EnterpriseForm(BootstrapFormMixin, forms.ModelForm):
    override_reason = forms.CharField(
        label="校验位异常原因", required=False,
        help_text="仅当代码校验位不符、但经核实确为登记在册的代码时填写(县安委办或行业部门人员)")

    class Meta:
        model = Enterprise
        fields = ["name", "credit_code", "township", "sectors", "address", "latitude", "longitude",
                  "legal_representative", "principal", "principal_phone", "employees", "scale", "status",
                  "standard_grade", "has_safety_team", "insured", "insurer", "insurance_expiry",
                  "protection_distance_m"]
        widgets = {"insurance_expiry": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                   "sectors": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["township"].queryset = Division.objects.filter(level=Division.Level.TOWNSHIP)
        self.fields["sectors"].queryset = Sector.objects.all()
        self.fields["override_reason"].initial = self.instance.credit_code_override


class SelfChangeForm(BootstrapFormMixin, forms.ModelForm):
    """What an enterprise user may ask to change in its own record."""

    note = forms.CharField(label="变更说明", required=False)

    class Meta:
        model = Enterprise
        fields = SELF_EDITABLE
        widgets = {"insurance_expiry": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}


class FacilityForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Facility
        fields = ["kind", "name", "latitude", "longitude", "capacity", "chemical", "pond_grade", "equipment_kind",
                  "registration_no", "next_inspection", "admin_responsible", "authority_responsible",
                  "operator_responsible", "flood_limit_level_m", "in_service"]
        widgets = {"next_inspection": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}


class LicenceForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Licence
        fields = ["kind", "number", "issued_by", "valid_from", "valid_to"]
        widgets = {"valid_from": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
                   "valid_to": forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})}


class SafetyManagerForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = SafetyManager
        fields = ["name", "phone", "certificate", "full_time"]


class ReviewForm(BootstrapFormMixin, forms.Form):
    review_note = forms.CharField(label="审核意见", required=False)


class GatheringPlaceForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = GatheringPlace
        fields = ["name", "kind", "township", "latitude", "longitude", "people"]
