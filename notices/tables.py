"""The notice list's table (``common.tables``): its columns and the sorts it allows."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.tables import DateColumn, ListTable

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
    born = DateColumn(verbose_name=_("Born"), accessor="date_of_birth", format="Y-m-d")
    nationalities = tables.Column(verbose_name=_("Nationalities"), empty_values=())
    requester = tables.Column(verbose_name=_("Requester"), accessor="requesting_agency__code")
    status = tables.Column(
        verbose_name=_("Status"), accessor="get_status_display", attrs={"td": {"class": "status"}}
    )
    expires = DateColumn(verbose_name=_("Expires"), accessor="expires_at", format="Y-m-d")

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
        return ", ".join(value or [])
