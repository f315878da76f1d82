from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from agencies.models import Agency, Membership
from common.forms import apply_validation_error as apply_validation_error  # its home moved


class InvitationForm(forms.Form):
    email = forms.EmailField()
    role = forms.ChoiceField(choices=Membership.Role.choices)

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)
        if not agency.is_secretariat:
            role.choices = [c for c in Membership.Role.choices if c[0] != Membership.Role.REVIEWER]


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Membership.Role.choices)


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(max_length=150)
    password = forms.CharField(widget=forms.PasswordInput, min_length=8)


class APIKeyForm(forms.Form):
    name = forms.CharField(max_length=100)
    user = forms.ModelChoiceField(queryset=get_user_model().objects.none())
    expires_at = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: Any, agency: Agency, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        user = self.fields["user"]
        assert isinstance(user, forms.ModelChoiceField)
        user.queryset = get_user_model().objects.filter(
            memberships__agency=agency, memberships__status=Membership.Status.ACTIVE
        )
