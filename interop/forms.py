"""Forms of the STIX object pages."""

from __future__ import annotations

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

# A STIX type: lower-case letters, digits and hyphens (STIX 2.1 §2.9), as sharing checks it.
STIX_TYPE = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$",
    _("A STIX type: lower-case letters, digits and hyphens."),
)


class ObjectFilterForm(forms.Form):
    """The object list's filters: a STIX type and a name or STIX id."""

    type = forms.CharField(label=_("Type"), required=False, max_length=250, validators=[STIX_TYPE])
    q = forms.CharField(label=_("Name or STIX id"), required=False, max_length=300, strip=True)
