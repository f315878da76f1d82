"""Forms of the notification centre: the list's filter and the digest preference."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import DigestPreference, Notification

SHOW = [("all", _("All")), ("unread", _("Unread only"))]


class FilterForm(forms.Form):
    show = forms.ChoiceField(label=_("Show"), choices=SHOW, required=False)
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[("", _("Every kind")), *Notification.Kind.choices],
        required=False,
    )


class DigestForm(forms.Form):
    frequency = forms.ChoiceField(
        label=_("E-mail digest"),
        choices=DigestPreference.Frequency.choices,
        widget=forms.RadioSelect,
        help_text=_(
            "Once a day, one e-mail lists your unread notifications that no earlier e-mail "
            "listed. It is sent to the address of your account."
        ),
    )
