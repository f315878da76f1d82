"""The case timeline in words: each audit event about a case, its JITs and the items in it as
a sentence with links ("bka.investigator added a note to DE-BKA-2026-0001"), never as the
log's codes, and the kinds the timeline can be filtered by."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent
from cases.models import Case, Evidence, JointInvestigationTeam, Task
from common.tables import listed

# kind (the ?kind= value) -> its label and the events it holds
KINDS: dict[str, tuple[Any, Q]] = {
    "case": (gettext_lazy("Case"), Q(object_type="cases.case") & ~Q(action="case.viewed")),
    "jit": (gettext_lazy("JIT and members"), Q(object_type="cases.jointinvestigationteam")),
    "evidence": (gettext_lazy("Evidence"), Q(object_type="cases.evidence")),
    "task": (gettext_lazy("Tasks"), Q(object_type="cases.task")),
    "note": (gettext_lazy("Notes"), Q(object_type="cases.note")),
    "share": (gettext_lazy("Shares"), Q(object_type="sharing.share")),
    "notice": (gettext_lazy("Notices"), Q(object_type="notices.notice")),
}
_KIND_OF_TYPE = {
    "cases.case": "case",
    "cases.jointinvestigationteam": "jit",
    "cases.evidence": "evidence",
    "cases.task": "task",
    "cases.note": "note",
    "sharing.share": "share",
    "notices.notice": "notice",
}
UNKNOWN_KIND = gettext_lazy("Unknown kind of event: choose one of %(kinds)s.")


@dataclass(frozen=True)
class Linked:
    """Objects of an app above cases tied to a case (shares of its indicators, its notices):
    ``ids(user=, agency=, case=)`` gives the pks of those the viewer may see, ``url_name``
    their page (a URL name with the pk as argument)."""

    object_type: str
    ids: Callable[..., Any]
    url_name: str = ""


# Filled by the apps above in their AppConfig.ready (cases may not import them).
LINKED: dict[str, Linked] = {}


def register_linked(linked: Linked) -> None:
    LINKED[linked.object_type] = linked


@dataclass(frozen=True)
class Entry:
    at: datetime
    kind: str
    sentence: SafeString
    event: AuditEvent


@dataclass(frozen=True)
class _Names:
    case: Case
    jits: dict[str, JointInvestigationTeam]
    evidence: dict[str, Evidence]
    tasks: dict[str, Task]


def filter_kind(events: Any, kind: str) -> Any:
    """The events of one kind (``kind`` already checked against ``KINDS``)."""
    return events.filter(KINDS[kind][1]) if kind else events


def _link(url: str, text: Any) -> SafeString:
    return format_html('<a href="{}">{}</a>', url, text)


def _tab(case: Case, tab: str) -> str:
    return f"{case.get_absolute_url()}?tab={tab}"


def _agency(code: Any) -> SafeString:
    return format_html("<strong>{}</strong>", code or _("an agency"))


# action -> a sentence with named places: who, case, jit, item, agency (all already escaped)
_PHRASES: dict[str, Any] = {
    "case.opened": gettext_lazy("%(who)s opened %(case)s"),
    "case.updated": gettext_lazy("%(who)s updated %(case)s"),
    "case.viewed": gettext_lazy("%(who)s viewed %(case)s"),
    "jit.created": gettext_lazy("%(who)s formed the JIT %(jit)s for %(case)s"),
    "jit.updated": gettext_lazy("%(who)s amended the agreement of %(jit)s"),
    "jit.closed": gettext_lazy("%(who)s closed the JIT %(jit)s"),
    "jit.member_invited": gettext_lazy("%(who)s invited %(agency)s to %(jit)s"),
    "jit.member_accepted": gettext_lazy("%(agency)s joined %(jit)s (accepted by %(who)s)"),
    "jit.member_declined": gettext_lazy("%(agency)s declined to join %(jit)s (%(who)s)"),
    "jit.member_left": gettext_lazy("%(agency)s left %(jit)s (%(who)s)"),
    "evidence.added": gettext_lazy("%(who)s collected the evidence %(item)s in %(case)s"),
    "evidence.updated": gettext_lazy("%(who)s updated the evidence %(item)s"),
    "evidence.downloaded": gettext_lazy("%(who)s downloaded the evidence %(item)s"),
    "evidence.verified": gettext_lazy("%(who)s verified the hash of the evidence %(item)s"),
    "evidence.transferred": gettext_lazy("%(who)s transferred the evidence %(item)s to %(agency)s"),
    "evidence.checked_out": gettext_lazy("%(who)s checked out the evidence %(item)s"),
    "evidence.checked_in": gettext_lazy("%(who)s checked in the evidence %(item)s"),
    "evidence.disposed": gettext_lazy("%(who)s disposed of the evidence %(item)s"),
    "task.created": gettext_lazy("%(who)s added the task %(item)s to %(case)s"),
    "task.updated": gettext_lazy("%(who)s updated the task %(item)s"),
    "note.added": gettext_lazy("%(who)s added a note to %(case)s"),
    "note.updated": gettext_lazy("%(who)s edited a note in %(case)s"),
    "indicator.shared": gettext_lazy("%(who)s shared indicators of %(case)s with %(agency)s"),
    "indicator.share_withdrawn": gettext_lazy("%(who)s withdrew a share of %(case)s"),
    "stix_object.shared": gettext_lazy("%(who)s shared objects of %(case)s with %(agency)s"),
    "notice.created": gettext_lazy("%(who)s drafted %(item)s for %(case)s"),
    "notice.updated": gettext_lazy("%(who)s edited %(item)s"),
    "notice.submitted": gettext_lazy("%(who)s submitted %(item)s for review"),
    "notice.resubmitted": gettext_lazy("%(who)s submitted %(item)s again"),
    "notice.review_started": gettext_lazy("%(who)s started the review of %(item)s"),
    "notice.info_requested": gettext_lazy("%(who)s asked for more information on %(item)s"),
    "notice.published": gettext_lazy("%(who)s published %(item)s"),
    "notice.refused": gettext_lazy("%(who)s refused %(item)s"),
    "notice.withdrawn": gettext_lazy("%(who)s withdrew %(item)s"),
    "notice.cancelled": gettext_lazy("%(who)s cancelled %(item)s"),
    "notice.expired": gettext_lazy("%(item)s expired"),
}


def _names(case: Case, events: list[AuditEvent]) -> _Names:
    """The titles the sentences name: one query per kind of item on the page (the events
    were already limited to the items the viewer may see)."""
    ids: dict[str, set[str]] = {}
    for event in events:
        ids.setdefault(event.object_type, set()).add(event.object_id)

    def by_pk(model: Any, object_type: str) -> dict[str, Any]:
        wanted = [int(pk) for pk in ids.get(object_type, ()) if pk.isdigit()]
        if not wanted:
            return {}
        return {str(o.pk): o for o in model.objects.filter(pk__in=wanted, case=case)}

    return _Names(
        case=case,
        jits=by_pk(JointInvestigationTeam, "cases.jointinvestigationteam"),
        evidence=by_pk(Evidence, "cases.evidence"),
        tasks=by_pk(Task, "cases.task"),
    )


def _places(event: AuditEvent, names: _Names) -> dict[str, SafeString]:
    case = names.case
    summary = event.summary if isinstance(event.summary, dict) else {}
    who = format_html("<strong>{}</strong>", event.actor.username if event.actor else _("system"))
    places = {
        "who": who,
        "case": _link(case.get_absolute_url(), case.reference),
        "agency": _agency(summary.get("agency") or summary.get("to_agency") or event.agency_code),
        "jit": format_html("{}", summary.get("name") or _("the JIT")),
        "item": format_html("{}", _("an item")),
    }
    if event.object_type == "cases.jointinvestigationteam":
        jit = names.jits.get(event.object_id)
        if jit is not None:
            places["jit"] = _link(jit.get_absolute_url(), jit.name)
    elif event.object_type == "cases.evidence":
        evidence = names.evidence.get(event.object_id)
        if evidence is not None:
            places["item"] = _link(evidence.get_absolute_url(), evidence.title)
    elif event.object_type == "cases.task":
        task = names.tasks.get(event.object_id)
        title = task.title if task is not None else summary.get("title", _("a task"))
        places["item"] = _link(_tab(case, "tasks"), title)
    elif event.object_type == "cases.note":
        places["case"] = _link(_tab(case, "notes"), case.reference)
    elif event.object_type == "sharing.share":
        recipients = [*summary.get("agencies", []), *summary.get("jurisdictions", [])]
        if summary.get("jit"):
            recipients.append(_("the JIT"))
        if summary.get("community"):
            recipients.append(_("the community"))
        places["agency"] = format_html(
            "<strong>{}</strong>", listed(recipients) or _("its recipients")
        )
    elif event.object_type == "notices.notice":
        places["item"] = _linked_item(event, _("the notice"))
    return places


def _linked_item(event: AuditEvent, text: Any) -> SafeString:
    linked = LINKED.get(event.object_type)
    if linked is None or not linked.url_name:
        return format_html("{}", text)
    try:
        return _link(reverse(linked.url_name, args=[event.object_id]), text)
    except NoReverseMatch:
        return format_html("{}", text)


def sentence(event: AuditEvent, names: _Names) -> SafeString:
    places = _places(event, names)
    phrase = _PHRASES.get(event.action)
    if phrase is None:
        # An action without its own sentence yet: its words, never its code.
        words = event.action.split(".")[-1].replace("_", " ")
        return format_html("{} — {} ({})", places["who"], words, places["case"])
    # The places are escaped HTML; the phrase is ours: join them, then mark the result safe.
    return SafeString(str(phrase) % places)


def entries(case: Case, events: Iterable[AuditEvent]) -> list[Entry]:
    """The events as timeline entries, in the order given."""
    events = list(events)
    names = _names(case, events)
    return [
        Entry(
            at=event.created_at,
            kind="view"
            if event.action.endswith(".viewed")
            else _KIND_OF_TYPE.get(event.object_type, "case"),
            sentence=sentence(event, names),
            event=event,
        )
        for event in events
    ]


def by_day(items: list[Entry]) -> list[tuple[Any, list[Entry]]]:
    """Entries grouped by their (local) day, keeping their order: the time axis."""
    days: list[tuple[Any, list[Entry]]] = []
    for entry in items:
        day = timezone.localtime(entry.at).date()
        if not days or days[-1][0] != day:
            days.append((day, []))
        days[-1][1].append(entry)
    return days


def kind_links(case: Case, current: str) -> list[dict[str, Any]]:
    """The filter: every kind, and "all"."""
    base = _tab(case, "timeline")
    links = [{"label": _("All"), "url": base, "current": not current, "kind": ""}]
    links += [
        {"label": label, "url": f"{base}&kind={kind}", "current": kind == current, "kind": kind}
        for kind, (label, _q) in KINDS.items()
    ]
    return links


def unknown_kind_message() -> str:
    return str(UNKNOWN_KIND % {"kinds": ", ".join(KINDS)})
