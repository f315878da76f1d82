"""Forms of the STIX object pages and of the import page."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.validators import RegexValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

# A STIX type: lower-case letters, digits and hyphens (STIX 2.1 §2.9), as sharing checks it.
STIX_TYPE = RegexValidator(
    r"^[a-z0-9][a-z0-9-]{1,248}[a-z0-9]$",
    _("A STIX type: lower-case letters, digits and hyphens."),
)


class ObjectFilterForm(forms.Form):
    """The object list's filters: a STIX type and a name or STIX id."""

    type = forms.CharField(label=_("Type"), required=False, max_length=250, validators=[STIX_TYPE])
    q = forms.CharField(label=_("Name or STIX id"), required=False, max_length=300, strip=True)


class ImportForm(forms.Form):
    """A STIX 2.1 bundle or MISP events (JSON) to import as one of the member's agencies."""

    agency = forms.ModelChoiceField(
        queryset=Agency.objects.none(), label=_("Import as"), empty_label=None
    )
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A STIX 2.1 bundle (JSON), or MISP events as MISP exports them (one event, "
            "{'response': […]} or a list)."
        ),
    )

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = agencies

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.TAXII_MAX_CONTENT_LENGTH:
            raise forms.ValidationError(
                _("The file is larger than %(size)s MB.")
                % {"size": settings.TAXII_MAX_CONTENT_LENGTH // (1024 * 1024)}
            )
        return upload
