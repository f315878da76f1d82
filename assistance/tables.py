"""The assistance inbox's and outbox's tables (``common.tables``): columns and sorts."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from common.tables import CodeColumn, DateColumn, ListTable, code_html

# An agency's requests are few (tens to thousands): soonest due first (``due_key``: those
# without a deadline last), or by number, kind or status, each ending with the id.
REQUEST_SORTS: dict[str, tuple[str, ...]] = {
    "due": ("due_key", "id"),
    "number": ("id",),
    "kind": ("kind", "due_key", "id"),
    "status": ("status", "due_key", "id"),
}
REQUEST_DEFAULT_SORT = "due"


class RequestTable(ListTable):
    request = tables.Column(verbose_name=_("Request"), accessor="pk", empty_values=())
    kind = tables.Column(verbose_name=_("Kind"), accessor="get_kind_display")
    requester = CodeColumn(verbose_name=_("From"), accessor="requesting_agency__code")
    addressee = tables.Column(verbose_name=_("To"), empty_values=())
    urgency = tables.Column(verbose_name=_("Urgency"), accessor="get_urgency_display")
    status = tables.Column(verbose_name=_("Status"), empty_values=())
    due = DateColumn(verbose_name=_("Due"), accessor="due_at", format="SHORT_DATETIME_FORMAT")

    class Meta(ListTable.Meta):
        attrs = {"id": "inbox"}
        row_attrs = {"data-request": lambda record: record.pk}
        empty_text = _("No incoming requests.")

    def render_request(self, record: Any) -> str:
        words = Truncator(record.summary).chars(60) or _("Request %(number)s") % {
            "number": record.pk
        }
        return format_html(
            '<a href="{}">{}</a>', reverse("assistance:detail", args=[record.pk]), words
        )

    def render_addressee(self, record: Any) -> str:
        # Each value isolated (<bdi>): a role such as "provider (CETS 224 …)" holds brackets
        # of its own, which a right-to-left page would otherwise pair with ours.
        html = format_html(
            "{} (<bdi>{}</bdi>)",
            code_html(record.addressee.code),
            record.get_addressee_role_display(),
        )
        if record.enforcing_authority_id:
            html = format_html(
                "{}<br><small>{}</small>",
                html,
                _("notified to %(agency)s") % {"agency": record.enforcing_authority.code},
            )
        return html

    def render_status(self, record: Any) -> str:
        # As assistance/_status.html, without a template per row.
        html = format_html(
            '<span class="status status-{}">{}</span>', record.status, record.get_status_display()
        )
        if record.overdue:
            html = format_html('{} <strong class="overdue">{}</strong>', html, _("Overdue"))
        return html


class OutgoingTable(RequestTable):
    class Meta(RequestTable.Meta):
        attrs = {"id": "outgoing"}
        empty_text = _("Your agency has sent no requests. Start one from a case's Requests tab.")
