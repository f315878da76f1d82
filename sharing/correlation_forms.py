"""Forms for the correlation pages: lookups, access requests and holder decisions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import HandlingCode


class LookupForm(forms.Form):
    values = forms.CharField(
        label=_("Values"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("One value per line, optionally 'type value' (e.g. 'ipv4 203.0.113.5')."),
    )


class AccessRequestForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 3}))
    legal_basis = forms.CharField(
        label=_("Legal basis"),
        max_length=300,
        help_text=_("E.g. Budapest Convention art. 29, an MLA request reference"),
    )
    handling_code = forms.ChoiceField(label=_("Handling code"), choices=HandlingCode.choices)


class GrantForm(forms.Form):
    legal_basis = forms.IntegerField(
        label=_("Legal basis"),
        required=False,
        help_text=_("Sharing agreement id (optional; otherwise one in force is found)"),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))
