"""Browser forms for assistance requests. The services do the real validation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import TLP, Agency, HandlingCode
from assistance.legal import LegalBasis
from assistance.models import (
    AssistanceRequest,
    DataCategory,
    Instrument,
    Kind,
    RefusalGrounds,
    RequestAttachment,
    Urgency,
)

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"})


class AddresseeForm(forms.Form):
    """Step one: what is asked, of whom (the legal bases depend on both)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices)
    addressee = forms.ModelChoiceField(
        label=_("Addressee"),
        queryset=Agency.objects.filter(active=True).order_by("code"),
        to_field_name="code",
    )


class RequestForm(AddresseeForm):
    """Step two: only the legal bases valid between the requester and the addressee today."""

    instrument = forms.ChoiceField(label=_("Legal basis"), widget=forms.RadioSelect)
    treaty = forms.CharField(
        label=_("Treaty"), required=False, help_text=_("Bilateral treaty: title, date, article")
    )
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=Urgency.choices, initial=Urgency.ROUTINE
    )
    emergency_justification = forms.CharField(
        label=_("Emergency justification"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Emergency only: the threat to the life or safety of a person"),
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    identifiers = forms.JSONField(
        label=_("Identifiers"),
        required=False,
        initial=list,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            '[{"type": "ip", "value": "203.0.113.7", "port": 44321, '
            '"timestamp": "2026-01-05T10:00:00+01:00"}, {"type": "domain", "value": "…"}]'
        ),
    )
    data_categories = forms.MultipleChoiceField(
        label=_("Data categories"),
        choices=DataCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    period_start = forms.DateTimeField(label=_("Period start"), required=False, widget=DATETIME)
    period_end = forms.DateTimeField(label=_("Period end"), required=False, widget=DATETIME)
    tlp = forms.ChoiceField(choices=TLP.choices, initial=TLP.AMBER, label=_("TLP"))
    handling_code = forms.ChoiceField(
        label=_("Handling code"), choices=HandlingCode.choices, initial=HandlingCode.H0
    )
    handling_text = forms.CharField(label=_("Handling text"), required=False, max_length=300)
    shared_with_jit = forms.BooleanField(required=False, label=_("Share with the case's JIT"))
    follow_up_of = forms.ModelChoiceField(
        queryset=AssistanceRequest.objects.none(),
        required=False,
        label=_("Follows up preservation request"),
        help_text=_(
            "The production request must be sent within the preservation period "
            "(Budapest Convention Art. 29(7); Regulation (EU) 2023/1543 Art. 11(1))."
        ),
    )
    enforcing_authority = forms.ModelChoiceField(
        label=_("Enforcing authority"),
        queryset=Agency.objects.none(),
        required=False,
        to_field_name="code",
        help_text=AssistanceRequest._meta.get_field("enforcing_authority").help_text,
    )
    enforcing_exempt = forms.BooleanField(
        required=False,
        label=_("No notification (Art. 8(2))"),
        help_text=AssistanceRequest._meta.get_field("enforcing_exempt").help_text,
    )

    def __init__(
        self,
        *args: Any,
        bases: list[LegalBasis],
        preservations: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget = forms.HiddenInput()
        self.fields["addressee"].widget = forms.HiddenInput()
        instrument = self.fields["instrument"]
        assert isinstance(instrument, forms.ChoiceField)
        instrument.choices = [(b.instrument, f"{b.instrument_label} — {b.text}") for b in bases]
        follow = self.fields["follow_up_of"]
        assert isinstance(follow, forms.ModelChoiceField)
        if preservations is None:
            del self.fields["follow_up_of"]
        else:
            follow.queryset = preservations
            follow.label_from_instance = _preservation_label  # type: ignore[method-assign,assignment]
        addressee = self.initial.get("addressee")
        if addressee is None or Instrument.EPOC not in {b.instrument for b in bases}:
            del self.fields["enforcing_authority"], self.fields["enforcing_exempt"]
        else:
            authority = self.fields["enforcing_authority"]
            assert isinstance(authority, forms.ModelChoiceField)
            authority.queryset = (
                Agency.objects.filter(active=True, country_id=addressee.country_id)
                .exclude(kind=Agency.Kind.SERVICE_PROVIDER)
                .order_by("code")
            )

    def clean_identifiers(self) -> Any:
        return self.cleaned_data.get("identifiers") or []


def _preservation_label(request: AssistanceRequest) -> str:
    words = {
        "number": request.pk,
        "addressee": request.addressee.code,
        "status": request.get_status_display(),
    }
    until = request.preserved_until
    if until is None:
        return gettext("#%(number)s to %(addressee)s (%(status)s)") % words
    held = date_format(timezone.localtime(until), "SHORT_DATE_FORMAT")
    return gettext("#%(number)s to %(addressee)s (%(status)s, preserved until %(until)s)") % {
        **words,
        "until": held,
    }


class PreserveForm(forms.Form):
    reference = forms.CharField(max_length=120, label=_("Preservation reference"))


class RefuseForm(forms.Form):
    """A refusal is final: it asks for a tick, as withdraw and release do."""

    grounds = forms.ChoiceField(label=_("Grounds"), choices=RefusalGrounds.choices)
    text = forms.CharField(
        label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirm = forms.BooleanField(label=_("I confirm: this cannot be undone"))


class AttachForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=RequestAttachment.Kind.choices)
    language = forms.CharField(
        label=_("Language"), required=False, max_length=8, help_text=_("ISO 639-1, e.g. nl")
    )
    file = forms.FileField(label=_("File"), help_text=_("Stored with its SHA-256, like evidence"))


class RespondForm(forms.Form):
    file = forms.FileField(label=_("File"))
    complete = forms.BooleanField(
        required=False, initial=True, label=_("Answers the request fully")
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ConfirmForm(forms.Form):
    """Irreversible steps (release, no ground for refusal; refuse and withdraw have their own
    forms) ask for a tick first."""

    confirm = forms.BooleanField(label=_("I confirm: this cannot be undone"))


class WithdrawForm(ConfirmForm):
    reason = forms.CharField(label=_("Reason"), required=False)
