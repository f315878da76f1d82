"""Browser forms: the notice request form, the review checklist, search."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import FileExtensionValidator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Jurisdiction
from agencies.providers import partner_agencies
from cases.models import Case
from notices.models import Language, Notice, NoticeReview, NoticeType
from notices.services import EDITABLE_FIELDS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CodeListField(forms.Field):
    """Comma-separated ISO country codes <-> a list."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def to_python(self, value: Any) -> list[str]:
        text = "" if value in self.empty_values else str(value)
        codes = [c.strip().upper() for c in text.replace(";", ",").split(",") if c.strip()]
        bad = [c for c in codes if not (len(c) == 2 and c.isalpha())]
        if bad:
            raise forms.ValidationError(
                gettext("Not ISO 3166-1 alpha-2 codes: %(codes)s (e.g. DE, FR).")
                % {"codes": ", ".join(bad)}
            )
        return codes


def _model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)  # also ModelMultipleChoiceField
    return field


class NoticeForm(forms.ModelForm):
    """Every field is optional here: the pre-checks on submission say what the type needs."""

    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    nationalities = CodeListField(
        label=_("Nationalities"), required=False, help_text=_("ISO codes, comma-separated: DE, FR")
    )
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG, PNG or WebP"),
        validators=[FileExtensionValidator(["jpg", "jpeg", "png", "webp"])],
    )
    requesting_agency = forms.ModelChoiceField(
        label=_("Requesting agency"), queryset=Agency.objects.none(), required=False
    )

    class Meta:
        model = Notice
        fields = [
            "notice_type",
            "requesting_agency",
            *EDITABLE_FIELDS,
            "recipient_agencies",
            "recipient_jurisdictions",
        ]
        widgets = {
            "date_of_birth": DATE,
            "facts_date": DATE,
            "warrant_date": DATE,
            "facts_summary": forms.Textarea(attrs={"rows": 4}),
            "charges": forms.Textarea(attrs={"rows": 2}),
            "law": forms.Textarea(attrs={"rows": 2}),
            "distinguishing_marks": forms.Textarea(attrs={"rows": 2}),
            "subject_description": forms.Textarea(attrs={"rows": 3}),
            "recipient_agencies": forms.SelectMultiple(attrs={"size": 5}),
            "recipient_jurisdictions": forms.SelectMultiple(attrs={"size": 5}),
        }
        # The fields without a verbose name of their own (a label here, not a migration).
        labels = {
            "title": _("Title"),
            "case": _("Case"),
            "family_name": _("Family name"),
            "forenames": _("Forenames"),
            "date_of_birth": _("Date of birth"),
            "sex": _("Sex"),
            "place_of_birth": _("Place of birth"),
            "country_of_birth": _("Country of birth"),
            "height_cm": _("Height (cm)"),
            "weight_kg": _("Weight (kg)"),
            "eye_colour": _("Eye colour"),
            "hair_colour": _("Hair colour"),
            "distinguishing_marks": _("Distinguishing marks"),
            "languages_spoken": _("Languages spoken"),
            "subject_description": _("Subject description"),
            "offence_category": _("Offence category"),
            "charges": _("Charges"),
            "judicial_basis": _("Judicial basis"),
            "recipient_agencies": _("Recipient agencies"),
            "recipient_jurisdictions": _("Recipient jurisdictions"),
            "public_extract_consent": _("Public extract consent"),
        }

    def __init__(self, *args: Any, agencies: Any, cases: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        requesting = _model_choice(self, "requesting_agency")
        requesting.queryset = agencies
        if agencies.count() == 1:
            requesting.initial = agencies.first()
        _model_choice(self, "recipient_agencies").queryset = partner_agencies()
        _model_choice(self, "recipient_jurisdictions").queryset = Jurisdiction.objects.all()
        _model_choice(self, "case").queryset = cases if cases is not None else Case.objects.none()
        if self.instance.pk:
            for name in ("notice_type", "requesting_agency"):
                self.fields[name].disabled = True
            requesting.queryset = Agency.objects.filter(pk=self.instance.requesting_agency_id)
        notice_type = self.fields["notice_type"]
        assert isinstance(notice_type, forms.ChoiceField)
        notice_type.choices = NoticeType.choices

    def clean_requesting_agency(self) -> Agency:
        agency = self.cleaned_data.get("requesting_agency")
        if agency is None and self.instance.pk:
            return self.instance.requesting_agency
        choices = _model_choice(self, "requesting_agency").queryset
        assert choices is not None  # set in __init__
        if agency is None and choices.count() == 1:
            return choices.get()
        if agency is None:
            raise forms.ValidationError(gettext("Choose the requesting agency."))
        return agency

    def _post_clean(self) -> None:
        # Model validation happens in the service; the form only checks types.
        pass


# The review checklist's titles, as messages name them (never the field names).
CHECK_TITLES = {
    "art3_neutrality": _("Art. 3 neutrality"),
    "art2_human_rights": _("Art. 2 human rights"),
    "minimum_data": _("Minimum data"),
}


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"), choices=NoticeReview.Decision.choices, widget=forms.RadioSelect
    )
    art3_neutrality = forms.BooleanField(
        required=False,
        label=_("Art. 3 neutrality: no political, military, religious or racial character"),
    )
    art2_human_rights = forms.BooleanField(
        required=False, label=_("Art. 2 human rights: in the spirit of the Universal Declaration")
    )
    minimum_data = forms.BooleanField(
        required=False, label=_("Minimum data for the type is present")
    )
    reasons = forms.CharField(
        label=_("Reasons"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReasonForm(forms.Form):
    reasons = forms.CharField(
        label=_("Reasons"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class SearchForm(forms.Form):
    name = forms.CharField(label=_("Name"), required=False)
    date_of_birth = forms.DateField(label=_("Date of birth"), required=False, widget=DATE)
    nationality = forms.CharField(label=_("Nationality"), required=False, max_length=2)
    type = forms.ChoiceField(
        label=_("Type"), choices=[("", _("Any type")), *NoticeType.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Notice.Status.choices], required=False
    )
