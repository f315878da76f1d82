"""Browser forms for cases, JITs, evidence, tasks and notes. Services do the real validation."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from agencies.models import TLP, Agency, HandlingCode, Jurisdiction
from agencies.providers import partner_agencies
from cases.models import (
    Case,
    CustodyEvent,
    JITMembership,
    JointInvestigationTeam,
    OffenceCategory,
    Task,
)

User = get_user_model()

DATE = forms.DateInput(attrs={"type": "date"})
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"})


class UsernamesField(forms.CharField):
    """Comma-separated usernames -> list of users; unknown names are named in the error."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", "Comma-separated usernames")
        super().__init__(**kwargs)

    def clean(self, value: Any) -> list[Any]:
        value = super().clean(value)
        names = [n.strip() for n in (value or "").split(",") if n.strip()]
        users = list(User.objects.filter(username__in=names, is_active=True))
        missing = set(names) - {u.username for u in users}
        if missing:
            raise forms.ValidationError(
                _("Unknown users: %(names)s.") % {"names": ", ".join(sorted(missing))}
            )
        return users


class CaseFilterForm(forms.Form):
    q = forms.CharField(required=False, label=_("Search"))
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *Case.Status.choices]
    )
    tlp = forms.ChoiceField(
        label=_("TLP"), required=False, choices=[("", _("Any TLP")), *TLP.choices]
    )
    category = forms.ChoiceField(
        label=_("Category"),
        required=False,
        choices=[("", _("Any offence")), *OffenceCategory.choices],
    )
    tag = forms.CharField(label=_("Tag"), required=False)
    lead = forms.CharField(required=False, label=_("Lead agency"))


class CaseForm(forms.Form):
    lead_agency = forms.ModelChoiceField(label=_("Lead agency"), queryset=Agency.objects.none())
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=Case.Status.choices, initial=Case.Status.OPEN
    )
    tlp = forms.ChoiceField(label=_("TLP"), choices=TLP.choices, initial=TLP.AMBER)
    handling_code = forms.ChoiceField(
        label=_("Handling code"), choices=HandlingCode.choices, initial=HandlingCode.H0
    )
    handling_text = forms.CharField(max_length=500, required=False, label=_("H3 restriction"))
    offence_categories = forms.MultipleChoiceField(
        label=_("Offence categories"),
        choices=OffenceCategory.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Comma-separated, e.g. ransomware, botnet")
    )
    named_users = UsernamesField(label=_("Named users (TLP:RED)"))

    def __init__(self, *args: Any, agencies: Any = None, case: Case | None = None, **kwargs: Any):
        if case is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": case.title,
                    "summary": case.summary,
                    "status": case.status,
                    "tlp": case.tlp,
                    "handling_code": case.handling_code,
                    "handling_text": case.handling_text,
                    "offence_categories": case.offence_categories,
                    "tags": ", ".join(case.tags),
                    "named_users": ", ".join(u.username for u in case.named_users.all()),
                },
            )
        super().__init__(*args, **kwargs)
        if case is not None:
            del self.fields["lead_agency"]
        else:
            lead = self.fields["lead_agency"]
            assert isinstance(lead, forms.ModelChoiceField)
            lead.queryset = agencies
            if agencies.count() == 1:
                lead.initial = agencies.first()

    def clean_tags(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tags"].split(",") if t.strip()]


class JITForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    purpose = forms.CharField(
        label=_("Purpose"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    legal_basis = forms.ChoiceField(
        label=_("Legal basis"), choices=JointInvestigationTeam.LegalBasis.choices, required=False
    )
    legal_basis_text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label=_("Legal basis text")
    )
    period_start = forms.DateField(label=_("Period start"), required=False, widget=DATE)
    period_end = forms.DateField(label=_("Period end"), required=False, widget=DATE)
    states_of_operation = forms.ModelMultipleChoiceField(
        label=_("States of operation"),
        queryset=Jurisdiction.objects.filter(kind=Jurisdiction.Kind.COUNTRY),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=JointInvestigationTeam.Status.choices, required=False
    )

    def __init__(self, *args: Any, jit: JointInvestigationTeam | None = None, **kwargs: Any):
        if jit is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": jit.name,
                    "purpose": jit.purpose,
                    "legal_basis": jit.legal_basis,
                    "legal_basis_text": jit.legal_basis_text,
                    "period_start": jit.period_start,
                    "period_end": jit.period_end,
                    "states_of_operation": list(jit.states_of_operation.all()),
                    "status": jit.status,
                },
            )
        super().__init__(*args, **kwargs)
        if jit is None:
            self.fields["status"].initial = JointInvestigationTeam.Status.ACTIVE


class InviteForm(forms.Form):
    agency = forms.ModelChoiceField(
        label=_("Agency"), queryset=partner_agencies(), to_field_name="code"
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=JITMembership.Role.choices, initial=JITMembership.Role.PARTY
    )
    seconded_members = UsernamesField(label=_("Seconded members"))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    collected_by = forms.CharField(label=_("Collected by"), max_length=200)
    collected_at = forms.DateTimeField(label=_("Collected at"), widget=DATETIME)
    collected_where = forms.CharField(label=_("Collected where"), max_length=300)
    tlp = forms.ChoiceField(label=_("TLP"), choices=TLP.choices, initial=TLP.AMBER)
    handling_code = forms.ChoiceField(
        label=_("Handling code"), choices=HandlingCode.choices, initial=HandlingCode.H0
    )
    handling_text = forms.CharField(max_length=500, required=False, label=_("H3 restriction"))
    named_users = UsernamesField(label=_("Named users (TLP:RED)"))


class CustodyForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            (k.value, k.label)
            for k in (
                CustodyEvent.Kind.CHECKED_OUT,
                CustodyEvent.Kind.CHECKED_IN,
                CustodyEvent.Kind.TRANSFERRED,
                CustodyEvent.Kind.DISPOSED,
            )
        ],
    )
    purpose = forms.CharField(label=_("Purpose"), max_length=300, required=False)
    to_agency = forms.ModelChoiceField(
        label=_("To agency"),
        queryset=Agency.objects.filter(active=True),
        to_field_name="code",
        required=False,
    )


class TaskForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    assignee = forms.ModelChoiceField(
        label=_("Assignee"), queryset=User.objects.none(), to_field_name="username", required=False
    )
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE)
    tlp = forms.ChoiceField(label=_("TLP"), choices=TLP.choices, initial=TLP.AMBER)
    named_users = UsernamesField(label=_("Named users (TLP:RED)"))

    def __init__(self, *args: Any, users: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ModelChoiceField)
        if users is not None:
            assignee.queryset = users


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Body"), widget=forms.Textarea(attrs={"rows": 3}))
    tlp = forms.ChoiceField(label=_("TLP"), choices=TLP.choices, initial=TLP.AMBER)
    named_users = UsernamesField(label=_("Named users (TLP:RED)"))
