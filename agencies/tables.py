"""The members page's table (``common.tables``): columns, sorts, and the cells that hold
the admin's forms (role, lockout, suspend)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.tables import ListTable

# An agency's memberships are few: every column that orders them is cheap.
MEMBER_SORTS = {
    "user": ("user__username", "id"),
    "email": ("user__email", "id"),
    "role": ("role", "id"),
    "status": ("status", "id"),
}
MEMBER_DEFAULT_SORT = "user"


class MemberTable(ListTable):
    user = tables.Column(verbose_name=_("User"), accessor="user__username")
    email = tables.Column(verbose_name=_("E-mail"), accessor="user__email")
    role = tables.TemplateColumn(
        verbose_name=_("Role"), template_name="agencies/members/_role.html"
    )
    status = tables.TemplateColumn(
        verbose_name=_("Status"),
        template_name="agencies/members/_status.html",
        attrs={"td": {"class": "status"}},
    )
    second_factor = tables.Column(
        verbose_name=_("Second factor"),
        accessor="has_second_factor",
        attrs={"td": {"class": "second-factor"}},
    )
    actions = tables.TemplateColumn(
        verbose_name=_("Actions"), template_name="agencies/members/_actions.html", empty_values=()
    )

    class Meta(ListTable.Meta):
        attrs = {"id": "members"}
        row_attrs = {"data-username": lambda record: record.user.username}
        empty_text = _("No members match.")

    # Set by the view: what the cells' forms need.
    agency: Any = None
    roles: Any = ()
    cool_off_minutes: int = 0

    def render_user(self, value: str, record: Any) -> str:
        if record.seconded:
            return format_html("{} <em>({})</em>", value, _("seconded"))
        return value

    def render_second_factor(self, value: bool) -> str:
        return str(_("Yes") if value else _("Not yet"))
