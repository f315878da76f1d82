from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, APIKey, Membership
from agencies.providers import PROVIDER_KEY_SCOPES, partner_agencies, roles_for


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        role.choices = roles_for(agency)
        if agency.is_service_provider:
            role.initial = Membership.Role.PROVIDER_LIAISON


class AgencyDetailsForm(forms.Form):
    """The agency's 24/7 contact point and its central authority for MLA."""

    contact_name = forms.CharField(
        label=_("24/7 contact point"),
        max_length=200,
        required=False,
        help_text=_("The unit that answers around the clock (Budapest Convention Art. 35)."),
    )
    contact_phone = forms.CharField(label=_("24/7 phone"), max_length=64, required=False)
    contact_email = forms.EmailField(label=_("24/7 e-mail"), required=False)
    central_authority = forms.ModelChoiceField(
        label=_("Central authority"),
        queryset=Agency.objects.none(),
        required=False,
        to_field_name="code",
        empty_label=_("This agency itself"),
        help_text=_(
            "The agency of your country that sends and receives mutual legal assistance "
            "requests for you (Budapest Convention Art. 27), e.g. a ministry of justice or a "
            "prosecutor's office."
        ),
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "contact_name": agency.contact_name,
                "contact_phone": agency.contact_phone,
                "contact_email": agency.contact_email,
                "central_authority": agency.central_authority,
            },
        )
        super().__init__(*args, **kwargs)
        authority = self.fields["central_authority"]
        assert isinstance(authority, forms.ModelChoiceField)
        if agency.is_service_provider:
            del self.fields["central_authority"]
            return
        # Any agency is accepted, so that the service says what is wrong with a choice; the
        # active agencies of the same country that are no service providers are offered.
        authority.queryset = Agency.objects.all()
        offered = partner_agencies().filter(country=agency.country).exclude(pk=agency.pk)
        authority.widget.choices = [
            ("", authority.empty_label),
            *((a.code, f"{a.code} – {a.name}") for a in offered),
        ]


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices)


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, min_length=8)


class APIKeyForm(forms.Form):
    """A member's own key: for one of their agencies, with scopes and optional networks."""

    name = forms.CharField(label=_("Name"), max_length=100)
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=Agency.objects.none(), empty_label=None
    )
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"),
        choices=APIKey.Scope.choices,
        initial=[APIKey.Scope.READ],
        widget=forms.CheckboxSelectMultiple,
    )
    allowed_networks = forms.CharField(
        required=False,
        label=_("Client networks"),
        help_text=_("Optional: CIDR networks the key may be used from, separated by commas."),
    )
    expires_at = forms.DateTimeField(
        label=_("Expires at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        agency = self.fields["agency"]
        assert isinstance(agency, forms.ModelChoiceField)
        agency.queryset = Agency.objects.filter(
            memberships__user=user, memberships__status=Membership.Status.ACTIVE, active=True
        )
        kinds = set(agency.queryset.values_list("kind", flat=True))
        if kinds == {Agency.Kind.SERVICE_PROVIDER}:  # the scopes a provider's key may have
            scopes = self.fields["scopes"]
            assert isinstance(scopes, forms.MultipleChoiceField)
            scopes.choices = [c for c in APIKey.Scope.choices if c[0] in PROVIDER_KEY_SCOPES]

    def clean_allowed_networks(self) -> list[str]:
        value = self.cleaned_data["allowed_networks"]
        return [part for part in re.split(r"[\s,]+", value) if part]


class WitnessForm(forms.Form):
    verifier_key = forms.CharField(
        max_length=1000,
        label=_("Witness verifier key"),
        help_text=_(
            "The line that manage.py witness --generate-key NAME printed: the name, "
            "the key id and the key, joined by plus signs (a cosigner key, type 0x04)."
        ),
        widget=forms.TextInput(attrs={"size": 80, "autocomplete": "off", "spellcheck": "false"}),
    )
