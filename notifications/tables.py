"""The notification centre's table (``common.tables``): unread first, newest first."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.tables import DateColumn, ListTable

# One order: unread before read, newest first within each (the user's own rows: an index on
# (user, read_at, id) serves it).
SORTS = {"unread_first": ("is_read", "-id")}
DEFAULT_SORT = "unread_first"


class NotificationTable(ListTable):
    state = tables.Column(verbose_name=_("State"), accessor="read_at", empty_values=())
    kind = tables.Column(verbose_name=_("Kind"), accessor="get_kind_display")
    subject = tables.Column(verbose_name=_("About"))
    sentence = tables.Column(verbose_name=_("Notification"), empty_values=())
    created = DateColumn(
        verbose_name=pgettext_lazy("column", "When"),
        accessor="created_at",
        format="SHORT_DATETIME_FORMAT",
    )
    action = tables.Column(verbose_name=pgettext_lazy("action", "Open"), empty_values=())

    class Meta(ListTable.Meta):
        attrs = {"id": "notifications"}
        empty_text = _("No notifications.")
        row_attrs = {"class": lambda record: "" if record.read_at else "unread"}

    @cached_property
    def words(self) -> dict[str, str]:
        return {
            "unread": str(_("Unread")),
            "read": str(_("Read")),
            "open_unread": str(_("Open and mark read")),
            "open": str(pgettext_lazy("action", "Open")),
        }

    @cached_property
    def csrf(self) -> str:
        return str(get_token(self.context["request"]))

    def render_state(self, record: Any) -> str:
        if record.read_at:
            return self.words["read"]
        return format_html('<strong class="badge">{}</strong>', self.words["unread"])

    def render_subject(self, record: Any) -> str:
        return format_html('<a href="{}">{}</a>', record.link, record.subject)

    def render_sentence(self, record: Any) -> str:
        return str(record.sentence)

    def render_action(self, record: Any) -> str:
        if record.read_at:
            return format_html('<a href="{}">{}</a>', record.link, self.words["open"])
        return format_html(
            '<form method="post" action="{}" class="inline">'
            '<input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button type="submit">{}</button></form>',
            reverse("notifications:read", args=[record.pk]),
            self.csrf,
            self.words["open_unread"],
        )
