"""The case list's table (``common.tables``): its columns and the sorts it allows."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cases.models import OffenceCategory
from common.tables import DateColumn, ListTable

# Orders an index serves over 100k cases: the id (newest / oldest opened) and the unique
# reference.
CASE_SORTS = {"opened": ("id",), "reference": ("reference",)}
CASE_DEFAULT_SORT = "-opened"


class CaseTable(ListTable):
    reference = tables.Column(verbose_name=_("Reference"))
    title = tables.Column(verbose_name=_("Title"))
    lead = tables.Column(verbose_name=_("Lead"), accessor="lead_agency__code")
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
        return ", ".join(str(labels.get(code, code)) for code in value)

    def render_tags(self, value: list[str]) -> str:
        return ", ".join(value)
