"""The STIX object list's table (``common.tables``): its columns and the sorts it allows."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from common.tables import CodeColumn, DateColumn, ListTable
from sharing.objects import type_label

# The id is the one order an index serves for every caller and filter (newest / oldest).
OBJECT_SORTS = {"added": ("id",)}
OBJECT_DEFAULT_SORT = "-added"


class StixObjectTable(ListTable):
    type = tables.Column(verbose_name=_("Type"))
    name = tables.Column(verbose_name=_("Name"), empty_values=())
    owner = CodeColumn(verbose_name=_("Owner"), accessor="owner__code")
    tlp = tables.Column(verbose_name=_("TLP"))
    modified = DateColumn(verbose_name=_("Modified"), format="SHORT_DATETIME_FORMAT")
    added = DateColumn(verbose_name=_("Added"), accessor="created")
    state = tables.Column(verbose_name=_("State"), accessor="revoked", empty_values=())

    class Meta(ListTable.Meta):
        attrs = {"id": "objects"}
        empty_text = _("No STIX objects found.")

    def render_type(self, value: str) -> str:
        return type_label(value)

    def render_name(self, record: Any) -> str:
        text = Truncator(record.name or record.stix_id).chars(100)
        url = reverse("stix_object_detail", args=[record.pk])
        return format_html('<a href="{}">{}</a>', url, text)

    def render_tlp(self, record: Any) -> str:
        # The code, not the label django-tables2 would pass (``get_tlp_display``).
        return format_html('<span class="tlp tlp-{}">TLP:{}</span>', record.tlp, record.tlp)

    def render_state(self, value: bool) -> str:
        if value:
            return format_html('<span class="badge badge-revoked">{}</span>', _("revoked"))
        return str(_("active"))
