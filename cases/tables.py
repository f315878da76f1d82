"""The case list's table (``common.tables``): its columns and the sorts it allows."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from cases.models import OffenceCategory
from common.tables import CodeColumn, DateColumn, ListTable, listed

# Orders an index serves over 100k cases: the id (newest / oldest opened) and the unique
# reference.
CASE_SORTS = {"opened": ("id",), "reference": ("reference",)}
CASE_DEFAULT_SORT = "-opened"


class CaseTable(ListTable):
    reference = tables.Column(verbose_name=_("Reference"))
    title = tables.Column(verbose_name=_("Title"))
    lead = CodeColumn(verbose_name=_("Lead"), accessor="lead_agency__code")
    status = tables.Column(verbose_name=_("Status"), accessor="get_status_display")
    tlp = tables.Column(verbose_name=_("TLP"))
    offences = tables.Column(
        verbose_name=_("Offences"), accessor="offence_categories", empty_values=()
    )
    tags = tables.Column(verbose_name=_("Tags"), empty_values=())
    opened = DateColumn(verbose_name=_("Opened"), accessor="created_at")

    class Meta(ListTable.Meta):
        attrs = {"id": "cases"}
        row_attrs = {"data-reference": lambda record: record.reference}
        empty_text = _("No cases found.")

    def render_reference(self, value: str, record: Any) -> str:
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)

    def render_tlp(self, record: Any) -> str:
        # The code, not the label (as cases/_tlp.html, without a template per row).
        return format_html('<span class="tlp tlp-{}">TLP:{}</span>', record.tlp, record.tlp)

    def render_offences(self, value: list[str]) -> str:
        labels = dict(OffenceCategory.choices)
        return listed(labels.get(code, code) for code in value)

    def render_tags(self, value: list[str]) -> str:
        return listed(value)


# An agency's JIT invitations and memberships are few: every column orders them cheaply.
INVITATION_SORTS = {
    "invited": ("invited_at", "id"),
    "jit": ("jit__name", "id"),
    "role": ("role", "id"),
}
MEMBERSHIP_SORTS = {"jit": ("jit__name", "id"), "joined": ("id",)}


class JITInvitationTable(ListTable):
    jit = tables.Column(verbose_name=_("JIT"), accessor="jit__name")
    case = tables.Column(verbose_name=_("Case"), accessor="jit__case__reference")
    leader = CodeColumn(verbose_name=_("Leader"), accessor="jit__leader__code")
    agency = CodeColumn(verbose_name=_("For"), accessor="agency__code")
    role = tables.Column(verbose_name=_("Role"), accessor="get_role_display")
    legal_basis = tables.Column(
        verbose_name=_("Legal basis"), accessor="jit__get_legal_basis_display"
    )
    invited = tables.Column(
        verbose_name=pgettext_lazy("column", "Invited"), accessor="invited_at", empty_values=()
    )
    answer = tables.TemplateColumn(
        verbose_name=_("Answer"), template_name="cases/inbox/_answer.html", empty_values=()
    )

    class Meta(ListTable.Meta):
        attrs = {"id": "inbox"}
        row_attrs = {"data-jit": lambda record: record.jit_id}
        empty_text = _(
            "No open invitations. When a JIT's leader invites your agency, it appears here."
        )

    def render_jit(self, value: str, record: Any) -> str:
        return format_html('<a href="{}">{}</a>', record.jit.get_absolute_url(), value)

    def render_invited(self, record: Any) -> str:
        when = date_format(timezone.localtime(record.invited_at), "SHORT_DATE_FORMAT")
        if record.invited_by is None:
            return when
        return str(_("%(date)s by %(user)s") % {"date": when, "user": record.invited_by.username})


class JITMembershipTable(ListTable):
    jit = tables.Column(verbose_name=_("JIT"), accessor="jit__name")
    case = tables.Column(verbose_name=_("Case"), accessor="jit__case__reference")
    agency = CodeColumn(verbose_name=_("For"), accessor="agency__code")
    role = tables.Column(verbose_name=_("Role"), accessor="get_role_display")
    joined = DateColumn(verbose_name=_("Since"), accessor="responded_at")
    leave = tables.TemplateColumn(
        verbose_name=_("Leave"), template_name="cases/inbox/_leave.html", empty_values=()
    )

    class Meta(ListTable.Meta):
        attrs = {"id": "current"}
        empty_text = _("Your agency is in no JIT. Accept an invitation above to join one.")

    def render_jit(self, value: str, record: Any) -> str:
        return format_html('<a href="{}">{}</a>', record.jit.get_absolute_url(), value)
