from __future__ import annotations

import re
from typing import Any

from django import forms

from agencies.models import Agency, APIKey, Membership
from agencies.providers import roles_for


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Membership.Role.choices)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = roles_for(agency)
        if agency.is_service_provider:
            role.initial = Membership.Role.PROVIDER_LIAISON


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, min_length=8)


class APIKeyForm(forms.Form):
    """A member's own key: for one of their agencies, with scopes and optional networks."""

    name = forms.CharField(max_length=100)
    agency = forms.ModelChoiceField(queryset=Agency.objects.none(), empty_label=None)
    scopes = forms.MultipleChoiceField(
        choices=APIKey.Scope.choices,
        initial=[APIKey.Scope.READ],
        widget=forms.CheckboxSelectMultiple,
    )
    allowed_networks = forms.CharField(
        required=False,
        label="Client networks",
        help_text="Optional: CIDR networks the key may be used from, separated by commas.",
    )
    expires_at = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = Agency.objects.filter(
            memberships__user=user, memberships__status=Membership.Status.ACTIVE, active=True
        )

    def clean_allowed_networks(self) -> list[str]:
        value = self.cleaned_data["allowed_networks"]
        return [part for part in re.split(r"[\s,]+", value) if part]


class WitnessForm(forms.Form):
    verifier_key = forms.CharField(
        max_length=1000,
        label="Witness verifier key",
        help_text="The line `manage.py witness --generate-key NAME` printed: "
        "<name>+<key id>+<key> (a cosigner key, type 0x04).",
        widget=forms.TextInput(attrs={"size": 80, "autocomplete": "off", "spellcheck": "false"}),
    )
