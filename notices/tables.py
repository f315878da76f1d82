"""The notice list's table (``common.tables``): its columns and the sorts it allows."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.tables import CodeColumn, DateColumn, ListTable, listed

# Not-null keys only (a keyset cursor cannot hold a null): the number (newest / oldest), the
# type and the status (each led by an index), each ending with the id. A name search adds
# its best match first.
NOTICE_SORTS: dict[str, tuple[str, ...]] = {
    "number": ("id",),
    "type": ("notice_type", "id"),
    "status": ("status", "id"),
}
MATCH_SORT = {"match": ("match", "id")}


class NoticeTable(ListTable):
    number = tables.Column(verbose_name="#", accessor="pk")
    type = tables.Column(verbose_name=_("Type"), accessor="notice_type")
    subject = tables.Column(verbose_name=_("Subject"), accessor="subject_label", empty_values=())
    born = DateColumn(verbose_name=_("Born"), accessor="date_of_birth")
    nationalities = tables.Column(verbose_name=_("Nationalities"), empty_values=())
    requester = CodeColumn(verbose_name=_("Requester"), accessor="requesting_agency__code")
    status = tables.Column(
        verbose_name=_("Status"), accessor="get_status_display", attrs={"td": {"class": "status"}}
    )
    expires = DateColumn(verbose_name=_("Expires"), accessor="expires_at")

    class Meta(ListTable.Meta):
        attrs = {"id": "notices"}
        empty_text = _("No notices match.")

    def render_type(self, record: Any) -> str:
        return format_html(
            '<span class="ntype ntype-{}">{}</span>',
            record.notice_type,
            record.get_notice_type_display(),
        )

    def render_subject(self, record: Any) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            record.get_absolute_url(),
            record.subject_label or _("(untitled)"),
        )

    def render_nationalities(self, value: list[str]) -> str:
        return listed(value or [])


# The review queue is small (what waits for the secretariat): each column orders it cheaply.
QUEUE_SORTS: dict[str, tuple[str, ...]] = {
    "submitted": ("submitted_at", "id"),
    "type": ("notice_type", "submitted_at", "id"),
    "number": ("id",),
}
QUEUE_DEFAULT_SORT = "submitted"


class QueueTable(ListTable):
    number = tables.Column(verbose_name="#", accessor="pk")
    type = tables.Column(verbose_name=_("Type"), accessor="notice_type", empty_values=())
    subject = tables.Column(verbose_name=_("Subject"), accessor="subject_label", empty_values=())
    requester = CodeColumn(verbose_name=_("Requester"), accessor="requesting_agency__code")
    submitted = DateColumn(
        verbose_name=_("Submitted"), accessor="submitted_at", format="SHORT_DATETIME_FORMAT"
    )
    status = tables.Column(
        verbose_name=_("Status"), accessor="get_status_display", attrs={"td": {"class": "status"}}
    )

    class Meta(ListTable.Meta):
        attrs = {"id": "queue"}
        empty_text = _("Nothing waiting for review: submitted notices and diffusions appear here.")

    def render_type(self, record: Any) -> str:
        label = record.get_notice_type_display()
        if record.is_renewal:
            return str(_("%(type)s (renewal)") % {"type": label})
        return str(label)

    def render_subject(self, record: Any) -> str:
        return format_html(
            '<a href="{}">{}</a>',
            record.get_absolute_url(),
            record.subject_label or _("(untitled)"),
        )


# Public extracts are few (published, consented, of three types).
PUBLIC_SORTS: dict[str, tuple[str, ...]] = {
    "published": ("published_at", "id"),
    "name": ("family_name", "forenames", "id"),
    "type": ("notice_type", "published_at", "id"),
}
PUBLIC_DEFAULT_SORT = "-published"


class PublicNoticeTable(ListTable):
    type = tables.Column(verbose_name=_("Type"), accessor="get_notice_type_display")
    name = tables.Column(verbose_name=_("Name"), empty_values=())
    born = DateColumn(verbose_name=_("Born"), accessor="date_of_birth")
    sex = tables.Column(verbose_name=_("Sex"), accessor="get_sex_display")
    nationalities = tables.Column(verbose_name=_("Nationalities"), empty_values=())
    charges = tables.Column(verbose_name=_("Charges"), empty_values=())
    country = tables.Column(
        verbose_name=_("Requesting country"), accessor="requesting_agency__country__code"
    )
    published = DateColumn(verbose_name=_("Published"), accessor="published_at")

    class Meta(ListTable.Meta):
        attrs = {"id": "public-notices"}
        empty_text = _(
            "No public notices match. If you have information, contact your local police."
        )

    def render_name(self, record: Any) -> str:
        return " ".join(p for p in (record.forenames, record.family_name.upper()) if p)

    def render_nationalities(self, value: list[str]) -> str:
        return listed(value or [])

    def render_charges(self, record: Any) -> str:
        return str(record.charges) if record.notice_type == "RED" else ""
