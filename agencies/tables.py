"""The members page's table (``common.tables``): columns, sorts, and the cells that hold
the admin's forms (role, lockout, suspend)."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from common.tables import DateColumn, ListTable

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


# An agency's invitations are few: every column orders them cheaply.
INVITATION_SORTS = {
    "email": ("email", "id"),
    "sent": ("id",),
    "expires": ("expires_at", "id"),
}
INVITATION_STATES = {
    "open": _("Open"),
    "accepted": _("Accepted"),
    "revoked": _("Revoked"),
    "expired": _("Expired"),
}


class InvitationTable(ListTable):
    email = tables.Column(verbose_name=_("E-mail"))
    role = tables.Column(verbose_name=_("Role"), accessor="get_role_display")
    invited_by = tables.Column(verbose_name=_("Invited by"), accessor="created_by__username")
    sent = DateColumn(verbose_name=_("Sent"), accessor="created_at", format="SHORT_DATETIME_FORMAT")
    expires = DateColumn(
        verbose_name=_("Expires"), accessor="expires_at", format="SHORT_DATETIME_FORMAT"
    )
    state = tables.Column(verbose_name=_("State"), empty_values=())
    actions = tables.TemplateColumn(
        verbose_name=_("Actions"),
        template_name="agencies/members/_invitation_actions.html",
        empty_values=(),
    )

    class Meta(ListTable.Meta):
        attrs = {"id": "invitations"}
        empty_text = _("No invitations. Invite a member with the form above.")

    def render_state(self, record: Any) -> str:
        words = str(INVITATION_STATES[record.state])
        if record.accepted_by is not None:
            return str(_("Accepted by %(user)s") % {"user": record.accepted_by.username})
        return words
