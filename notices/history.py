"""A notice's history in words: each audit event about it as a sentence ("bka.investigator
submitted the notice for review") with the status change and reasons as labels, never the
log's action codes or stored values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent
from common.tables import listed
from notices.models import Notice

# action -> what the actor did (the notice is the page's own, so "the notice")
SENTENCES = {
    "notice.created": gettext_lazy("%(actor)s created the notice"),
    "notice.updated": gettext_lazy("%(actor)s changed the notice"),
    "notice.submitted": gettext_lazy("%(actor)s submitted the notice for review"),
    "notice.resubmitted": gettext_lazy("%(actor)s sent the notice back to review"),
    "notice.review_started": gettext_lazy("%(actor)s started the review"),
    "notice.info_requested": gettext_lazy("%(actor)s asked for more information"),
    "notice.published": gettext_lazy("%(actor)s published the notice"),
    "notice.refused": gettext_lazy("%(actor)s refused the notice"),
    "notice.cancelled": gettext_lazy("%(actor)s cancelled the notice"),
    "notice.withdrawn": gettext_lazy("%(actor)s withdrew the notice"),
    "notice.expired": gettext_lazy("The notice expired"),
    "notice.expiry_reminder_sent": gettext_lazy("An expiry reminder was sent"),
    "notice.renewal_requested": gettext_lazy("%(actor)s asked to renew the notice"),
}
OTHER = gettext_lazy("%(actor)s acted on the notice")


@dataclass(frozen=True)
class Entry:
    event: AuditEvent
    sentence: SafeString
    details: list[str]


def _status(value: Any) -> str:
    labels = dict(Notice.Status.choices)
    return str(labels.get(value, value))


def field_label(name: str) -> str:
    """A notice field's label (its verbose name), for people."""
    try:
        return capfirst(str(getattr(Notice._meta.get_field(name), "verbose_name", name)))
    except FieldDoesNotExist:
        return capfirst(name.replace("_", " "))


def _details(summary: dict[str, Any]) -> list[str]:
    details = []
    if summary.get("from") and summary.get("to"):
        details.append(f"{_status(summary['from'])} → {_status(summary['to'])}")
    if summary.get("fields"):
        fields = listed(field_label(name) for name in summary["fields"])
        details.append(_("Changed: %(fields)s") % {"fields": fields})
    for key in ("reasons", "reason"):
        if summary.get(key):
            details.append(_("Reasons: %(reasons)s") % {"reasons": summary[key]})
    return details


def history_in_words(events: Iterable[AuditEvent]) -> list[Entry]:
    """The notice's events (``selectors.notice_history``) as sentences with details."""
    entries = []
    for event in events:
        actor = event.actor.username if event.actor else _("The system")
        template = SENTENCES.get(event.action, OTHER)
        sentence = format_html("{}", str(template) % {"actor": actor})
        entries.append(Entry(event=event, sentence=sentence, details=_details(event.summary or {})))
    return entries
