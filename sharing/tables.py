"""The indicator list's table (``common.tables``): its columns and the sorts it allows."""

from __future__ import annotations

from typing import Any

import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext
from django.utils.translation import gettext_lazy as _

from common.tables import CodeColumn, DateColumn, ListTable, code_html
from sharing.delivery import error_in_words
from sharing.models import Delivery

# Only orders an index serves over a million rows: the id (newest / oldest) and the
# (type, normalized) lookup index (then the id, an incremental sort within equal values).
INDICATOR_SORTS = {
    "created": ("id",),
    "type": ("type", "normalized", "id"),
}
INDICATOR_DEFAULT_SORT = "-created"


class IndicatorTable(ListTable):
    select = tables.CheckBoxColumn(
        accessor="pk",
        attrs={
            "th": {"class": "select"},
            "td": {"class": "select"},
            "th__input": {"id": "select-page", "aria-label": _("Select every row of this page")},
        },
    )
    type = tables.Column(verbose_name=_("Type"), accessor="get_type_display")
    value = tables.Column(
        verbose_name=_("Value"),
        accessor="normalized",
        empty_values=(),
        attrs={"td": {"class": "value"}},
    )
    owner = CodeColumn(verbose_name=_("Owner"), accessor="owner__code")
    tlp = tables.Column(verbose_name=_("TLP"))
    pap = tables.Column(verbose_name=_("PAP"), accessor="get_pap_display")
    confidence = tables.Column(verbose_name=_("Confidence"))
    last_seen = DateColumn(verbose_name=_("Last seen"), default="–")
    created = DateColumn(verbose_name=_("Added"))
    state = tables.Column(verbose_name=_("State"), accessor="revoked", empty_values=())

    class Meta(ListTable.Meta):
        attrs = {"id": "indicators"}
        empty_text = _("No indicators found.")

    def render_value(self, record: Any) -> str:
        text = record.normalized if len(record.normalized) <= 80 else record.normalized[:79] + "…"
        return format_html(
            '<a href="{}"><code>{}</code></a>', reverse("indicator_detail", args=[record.pk]), text
        )

    @cached_property
    def select_label(self) -> str:
        return str(_("Select %(value)s"))  # translated once per page, not per row

    def render_select(self, record: Any) -> str:
        return format_html(
            '<input type="checkbox" name="ids" value="{}" class="select-row" form="share-selected"'
            ' aria-label="{}">',
            record.pk,
            self.select_label % {"value": record.normalized[:80]},
        )

    def render_tlp(self, record: Any) -> str:
        # The code, not the label django-tables2 would pass (``get_tlp_display``).
        return format_html('<span class="tlp tlp-{}">TLP:{}</span>', record.tlp, record.tlp)

    def render_state(self, value: bool) -> str:
        return str(_("revoked") if value else _("active"))


# Access requests are few per agency (an index on (holder, status) for the inbox).
INBOX_SORTS = {"received": ("id",), "status": ("status", "id")}
SENT_SORTS = {"sent": ("id",)}


class AccessInboxTable(ListTable):
    indicator = tables.Column(verbose_name=_("Your indicator"), empty_values=())
    asked_by = tables.Column(verbose_name=_("Asked by"), empty_values=())
    reason = tables.Column(verbose_name=_("Reason"), accessor="request__reason")
    legal_basis = tables.Column(verbose_name=_("Legal basis"), accessor="request__legal_basis")
    handling = tables.Column(verbose_name=_("Handling"), accessor="request__handling_code")
    status = tables.Column(verbose_name=_("Status"), accessor="get_status_display")
    received = DateColumn(verbose_name=_("Received"), accessor="request__created_at")

    class Meta(ListTable.Meta):
        attrs = {"id": "inbox"}
        empty_text = _("No requests.")

    def render_indicator(self, record: Any) -> str:
        return format_html(
            '<a href="{}"><code>{}</code></a> ({})',
            reverse("access_inbox_detail", args=[record.pk]),
            Truncator(record.indicator.normalized).chars(60),
            code_html(record.holder.code),
        )

    def render_asked_by(self, record: Any) -> str:
        request = record.request
        return format_html(
            "{} ({})", request.requested_by.username, code_html(request.requester.code)
        )

    def render_reason(self, value: str) -> str:
        return Truncator(value).chars(80)


# request_outcome's statuses (the API's words), translated when the table shows them.
OUTCOME_WORDS = {
    "pending": gettext_noop("pending"),
    "shared": gettext_noop("shared"),
    "declined": gettext_noop("declined"),
}


class AccessSentTable(ListTable):
    indicator = tables.Column(verbose_name=_("Your indicator"), empty_values=())
    asked_by = tables.Column(verbose_name=_("Asked by"), accessor="requested_by__username")
    reason = tables.Column(verbose_name=_("Reason"))
    outcome = tables.Column(verbose_name=_("Outcome"), empty_values=())
    sent = DateColumn(verbose_name=_("Sent"), accessor="created_at")

    class Meta(ListTable.Meta):
        attrs = {"id": "sent"}
        empty_text = _("No requests sent.")

    def render_indicator(self, record: Any) -> str:
        return format_html(
            "<code>{}</code> ({})",
            Truncator(record.indicator.normalized).chars(60),
            code_html(record.requester.code),
        )

    def render_reason(self, value: str) -> str:
        return Truncator(value).chars(80)

    def render_outcome(self, record: Any) -> str:
        outcome = record.outcome  # set by the view: request_outcome, what the requester may learn
        status = gettext(OUTCOME_WORDS.get(outcome["status"], outcome["status"]))
        return "".join([status, *(f": {r}" for r in outcome["decline_reasons"])])


# An agency's deliveries can run to many thousands: the id (newest / oldest queued) and the
# (endpoint, status) index; the total is capped (``DELIVERY_COUNT_CAP`` in the view).
DELIVERY_SORTS = {"queued": ("id",), "status": ("status", "id")}
DELIVERY_DEFAULT_SORT = "-queued"
ITEMS_SHOWN = 5  # per delivery, in words; the rest as "and N more"


class DeliveryTable(ListTable):
    endpoint = tables.Column(verbose_name=_("Endpoint"), accessor="endpoint__name")
    carries = tables.Column(verbose_name=_("Carries"), empty_values=())
    status = tables.Column(verbose_name=_("Outcome"), empty_values=())
    attempts = tables.Column(verbose_name=_("Attempts"))
    queued = DateColumn(
        verbose_name=_("Queued"), accessor="created_at", format="SHORT_DATETIME_FORMAT"
    )
    delivered = DateColumn(
        verbose_name=_("Delivered"), accessor="delivered_at", format="SHORT_DATETIME_FORMAT"
    )

    class Meta(ListTable.Meta):
        attrs = {"id": "recent-deliveries"}
        empty_text = _(
            "No deliveries yet: they are queued when your partners share with your agency."
        )

    # The view sets it: delivery id -> its items in words (selectors.delivery_items_in_words).
    items_in_words: dict[int, list[Any]] = {}

    def render_carries(self, record: Any) -> str:
        if record.checkpoint_id:
            size = intcomma(record.checkpoint.tree_size)
            return str(_("Checkpoint at %(size)s entries") % {"size": size})
        count = ngettext("%(count)s object", "%(count)s objects", record.objects) % {
            "count": intcomma(record.objects)
        }
        items = self.items_in_words.get(record.pk, [])
        if not items:
            return str(count)
        shown = [str(item) for item in items[:ITEMS_SHOWN]]
        if len(items) > ITEMS_SHOWN:
            more = len(items) - ITEMS_SHOWN
            shown.append(
                ngettext("and %(more)s more", "and %(more)s more", more) % {"more": intcomma(more)}
            )
        return format_html(
            '{}<ul class="delivery-items">{}</ul>',
            count,
            format_html_join("", "<li>{}</li>", ((line,) for line in shown)),
        )

    def render_status(self, record: Any) -> str:
        words = record.get_status_display()
        if record.status in (Delivery.Status.FAILING, Delivery.Status.DEAD):
            reason = error_in_words(record.last_error, record.last_status_code)
            if reason:
                return pgettext("report line: result and reason", "%(result)s: %(reason)s") % {
                    "result": words,
                    "reason": reason,
                }
        return str(words)
