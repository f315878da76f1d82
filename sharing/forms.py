"""Forms for the indicator, share and partner endpoint pages."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import TLP, Agency, HandlingCode, Jurisdiction, SharingAgreement
from agencies.providers import partner_agencies
from cases.models import JointInvestigationTeam
from sharing.legal import ShareSpec
from sharing.models import PAP, IndicatorType
from sharing.objects import type_choices


class IndicatorAddForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), empty_label=None
    )
    type = forms.ChoiceField(
        label=_("Type"),
        choices=[("", _("Detect per line")), *IndicatorType.choices],
        required=False,
    )
    values = forms.CharField(
        label=_("Values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": _("One value per line")}),
        help_text=_("One value per line; optionally 'type value' (e.g. 'sha256 e3b0…')."),
    )
    upload = forms.FileField(
        required=False,
        label=_("Or a text file"),
        help_text=_("UTF-8 text, one value per line, as above."),
    )
    tlp = forms.ChoiceField(choices=TLP.choices, initial=TLP.AMBER, label=_("TLP"))
    pap = forms.ChoiceField(choices=PAP.choices, initial=PAP.AMBER, label=_("PAP"))
    handling_code = forms.ChoiceField(
        label=_("Handling code"), choices=HandlingCode.choices, initial=HandlingCode.H0
    )
    confidence = forms.IntegerField(label=_("Confidence"), min_value=0, max_value=100, initial=50)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.TextInput)
    labels = forms.CharField(label=_("Labels"), required=False, help_text=_("Comma separated"))

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies

    def clean(self) -> dict[str, Any]:
        """The lines to add, pasted or uploaded (``values``), named by the field at fault."""
        data = super().clean() or self.cleaned_data
        upload = data.get("upload")
        if upload and data.get("values", "").strip():
            self.add_error("upload", _("Paste the values or choose a file, not both."))
        elif upload:
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                self.add_error("upload", _("The file must be UTF-8 text."))
                return data
            if "\x00" in text:
                self.add_error("upload", _("The file must be text, without NUL characters."))
                return data
            data["values"] = text
        if not data.get("values", "").strip() and "upload" not in self.errors:
            self.add_error("values", _("Paste values, one per line, or choose a file."))
        return data


class ShareForm(forms.Form):
    agencies = forms.ModelMultipleChoiceField(
        label=_("Agencies"),
        queryset=partner_agencies(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    jurisdictions = forms.ModelMultipleChoiceField(
        label=_("Jurisdictions"),
        queryset=Jurisdiction.objects.all(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 4}),
    )
    jit = forms.ModelChoiceField(
        queryset=JointInvestigationTeam.objects.none(), required=False, label=_("JIT")
    )
    community = forms.BooleanField(
        label=_("Community"),
        required=False,
        help_text=_("Every agency holding a sharing agreement with you"),
    )
    users = forms.CharField(
        required=False,
        help_text=_("TLP:RED only: usernames, comma separated"),
        label=_("Named users"),
    )
    legal_basis = forms.ModelChoiceField(
        label=_("Legal basis"),
        queryset=SharingAgreement.objects.none(),
        required=False,
        empty_label=_("Find the basis for each recipient"),
    )

    def __init__(
        self,
        *args: Any,
        jits: QuerySet[JointInvestigationTeam],
        agreements: QuerySet[SharingAgreement],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["jit"]).queryset = jits
        cast(forms.ModelChoiceField, self.fields["legal_basis"]).queryset = agreements

    def spec(self) -> ShareSpec:
        """The recipients and agreement chosen (after ``is_valid()``)."""
        data = self.cleaned_data
        return ShareSpec(
            agencies=list(data["agencies"]),
            jurisdictions=list(data["jurisdictions"]),
            jit=data["jit"],
            community=data["community"],
            users=data["users"],
            legal_basis=data["legal_basis"].pk if data["legal_basis"] else None,
        )

    def clean_users(self) -> list[Any]:
        names = [n.strip() for n in self.cleaned_data["users"].split(",") if n.strip()]
        users = list(get_user_model().objects.filter(username__in=names, is_active=True))
        unknown = set(names) - {u.username for u in users}
        if unknown:
            raise forms.ValidationError(
                gettext("Unknown users: %(users)s.") % {"users": ", ".join(sorted(unknown))}
            )
        return users


class EndpointForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")
    types = forms.MultipleChoiceField(
        label=_("Types"),
        choices=IndicatorType.choices,
        required=False,
        help_text=_("None selected = all types"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    min_confidence = forms.IntegerField(
        label=_("Minimum confidence"), min_value=0, max_value=100, initial=0
    )
    object_types = forms.MultipleChoiceField(
        choices=type_choices,
        required=False,
        label=_("STIX object types"),
        help_text=_(
            "Shared STIX objects (malware, reports, relationships, …) of these types are pushed "
            "too; none selected = all types. The indicator types and minimum confidence above "
            "apply to indicators only."
        ),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    max_tlp = forms.ChoiceField(choices=TLP.choices, initial=TLP.AMBER, label=_("Highest TLP"))
    receives_checkpoints = forms.BooleanField(
        required=False,
        label=_("Receives checkpoints"),
        help_text=_(
            "Also push each signed checkpoint of our audit log, so that your system holds "
            "them without polling (the indicator filters above do not apply)"
        ),
    )
