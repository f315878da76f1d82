"""MISP import: events (MISP JSON) converted to STIX 2.1 by misp-stix, their distribution and
``tlp:*`` tags turned into TLP markings, then imported by ``bundle_import``."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from misp_stix_converter import MISPtoSTIX21Parser

from agencies.models import TLP, Agency, APIKey
from audit.services import audit_log
from interop.misp_feed import carried_object
from interop.services import OUTCOMES, ImportReport, bundle_import
from sharing.models import TLP_RANK
from sharing.normalize import reason
from sharing.stix import TLP_MARKING_IDS

logger = logging.getLogger(__name__)

NOT_A_LIST = "A MISP event, {'Event': {...}}, or a list of them is required."
NOT_AN_EVENT = "A MISP event (a JSON object, or {'Event': {...}}) is required."
INFO_REQUIRED = "A non-empty string is required (the event's title)."
UUID_REQUIRED = "A UUID is required."
LIST_REQUIRED = "A list is required."
MAX_EVENTS = 1000
MAX_REASON = 500

# MISP distribution → the TLP it allows at most (README "MISP"). 5 inherits from its parent.
SHARING_GROUP = 4
INHERIT = 5
DISTRIBUTION_TLP: dict[int, str] = {
    0: TLP.AMBER_STRICT,  # "your organisation only": the recipient's organisation, no further
    1: TLP.AMBER,  # "this community only"
    2: TLP.GREEN,  # "connected communities"
    3: TLP.CLEAR,  # "all communities"
    SHARING_GROUP: TLP.AMBER_STRICT,  # a sharing group we cannot represent: kept narrowest
}
TAG_TLP: dict[str, str] = {
    "clear": TLP.CLEAR,
    "white": TLP.CLEAR,
    "green": TLP.GREEN,
    "amber": TLP.AMBER,
    "amber+strict": TLP.AMBER_STRICT,
    "red": TLP.RED,
}
# misp-stix writes a MISP ip-src / ip-dst as "the address of this type is X"; the type follows
# from the address, so one comparison says the same and becomes a typed, correlatable value.
_TYPED_ADDRESS = re.compile(
    r"^\[network-traffic:(?P<ref>src_ref|dst_ref)\.type = 'ipv[46]-addr' AND "
    r"network-traffic:(?P=ref)\.value = '(?P<value>[^'\\]*)'\]$"
)
_UUID_IN_MESSAGE = re.compile(r"<([0-9a-fA-F-]{36})>")
_MISP_LABEL = re.compile(r'^misp:(?:type|name|galaxy-type)="(.*)"$')


# What a conversion could not map, one line each in the import's report (translated when shown).
SHARING_GROUP_UNMAPPED = _("sharing group %(name)s is not mapped: kept at TLP:%(tlp)s")
UNKNOWN_TAG = _("tag tlp:%(level)s is not a TLP level: ignored")
MISP_LINE = _("MISP %(item)s: %(reason)s")
EVENT = _("event")
ATTRIBUTE = _("attribute (%(type)s)")
OBJECT = _("object (%(name)s)")
OBJECT_ATTRIBUTE = _("attribute (%(type)s) of object %(name)s")
NOT_CONVERTED = _("not converted, dropped")
NO_EQUIVALENT = _("no STIX 2.1 equivalent, sent as %(type)s")
CONVERTER_ERROR = _("misp-stix error: %(detail)s")
CONVERTER_WARNING = _("misp-stix warning: %(detail)s")


def sharing_group_unmapped(name: str) -> str:
    return reason(SHARING_GROUP_UNMAPPED, name=name, tlp=TLP.AMBER_STRICT)


def unknown_tag(level: str) -> str:
    return reason(UNKNOWN_TAG, level=level)


# --- reading MISP JSON ---------------------------------------------------------------------------


def events_from(data: Any) -> list[Any]:
    """The events of a body or file: one event, ``{"Event": {...}}``, ``{"events": [...]}``,
    MISP's ``{"response": [...]}`` or a list; ValidationError naming the field otherwise."""
    if isinstance(data, dict):
        for key in ("events", "response"):
            if key in data:
                if not isinstance(data[key], list):
                    raise ValidationError({key: NOT_A_LIST})
                return list(data[key])
        return [data]
    if isinstance(data, list):
        return data
    raise ValidationError({"events": NOT_A_LIST})


def _event(data: Any, index: int) -> dict[str, Any]:
    """The bare event of an entry; ValidationError naming ``events[i].field``."""
    where = f"events[{index}]"
    event = data.get("Event", data) if isinstance(data, dict) else None
    if not isinstance(event, dict):
        raise ValidationError({where: NOT_AN_EVENT})
    if not isinstance(event.get("info"), str) or not event["info"].strip():
        raise ValidationError({f"{where}.info": INFO_REQUIRED})
    try:
        uuid.UUID(str(event.get("uuid")))
    except ValueError:
        raise ValidationError({f"{where}.uuid": UUID_REQUIRED}) from None
    for key in ("Attribute", "Object", "Galaxy", "Tag", "EventReport"):
        if key in event and not isinstance(event[key], list):
            raise ValidationError({f"{where}.{key}": LIST_REQUIRED})
    return _with_uuids(event)


def _with_uuids(event: dict[str, Any]) -> dict[str, Any]:
    """The event with a uuid and a timestamp on every attribute and object: one without a
    uuid gets a uuid5 of the event's and its content (not PyMISP's random one), one without a
    timestamp the event's (not misp-stix's "now"), so importing it again finds it unchanged."""
    namespace = uuid.UUID(str(event["uuid"]))
    timestamp = {"timestamp": event["timestamp"]} if event.get("timestamp") else {}

    def named(item: Any, *parts: Any) -> Any:
        if not isinstance(item, dict):
            return item
        item = {**timestamp, **item}
        if item.get("uuid"):
            return item
        return {**item, "uuid": str(uuid.uuid5(namespace, "|".join(map(str, parts))))}

    objects = []
    for misp_object in event.get("Object") or []:
        misp_object = named(misp_object, "object", json.dumps(misp_object, sort_keys=True))
        if isinstance(misp_object, dict) and isinstance(misp_object.get("Attribute"), list):
            attributes = [
                named(a, misp_object["uuid"], a.get("object_relation"), a.get("value"))
                if isinstance(a, dict)
                else a
                for a in misp_object["Attribute"]
            ]
            misp_object = {**misp_object, "Attribute": attributes}
        objects.append(misp_object)
    attributes = [
        named(a, a.get("type"), a.get("value")) if isinstance(a, dict) else a
        for a in event.get("Attribute") or []
    ]
    return {**event, "Attribute": attributes, "Object": objects}


# --- distribution and tags → TLP -----------------------------------------------------------------


def _strictest(*levels: str | None) -> str | None:
    known = [level for level in levels if level]
    return max(known, key=TLP_RANK.__getitem__) if known else None


def _distribution(item: dict[str, Any]) -> int | None:
    try:
        return int(item.get("distribution"))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None


def _tlp_tags(item: dict[str, Any]) -> list[str]:
    """The ``tlp:*`` tags of an item, lower-cased, without the prefix."""
    names = (t.get("name") for t in item.get("Tag") or [] if isinstance(t, dict))
    return [
        name.lower().removeprefix("tlp:").strip()
        for name in names
        if isinstance(name, str) and name.lower().startswith("tlp:")
    ]


def _sharing_group_name(item: dict[str, Any]) -> str:
    group = item.get("SharingGroup")
    if isinstance(group, list):
        group = group[0] if group else None
    if isinstance(group, dict) and group.get("name"):
        return str(group["name"])
    return f"#{item.get('sharing_group_id') or '?'}"


@dataclass
class _Levels:
    """The TLP each MISP uuid (event, object, attribute) maps to, and what the mapping lost."""

    by_uuid: dict[str, str] = field(default_factory=dict)
    types: dict[str, str] = field(default_factory=dict)  # attribute uuid → MISP type
    lines: list[tuple[str, str]] = field(default_factory=list)  # (MISP uuid, reason)

    def level(self, item: dict[str, Any], parent: str | None, kind: str) -> str | None:
        """``kind``: what the item is, in words (``EVENT``, ``ATTRIBUTE``, …)."""
        distribution = _distribution(item)
        if distribution == SHARING_GROUP:
            why = sharing_group_unmapped(_sharing_group_name(item))
            self.lines.append((str(item.get("uuid")), reason(MISP_LINE, item=kind, reason=why)))
        own = DISTRIBUTION_TLP.get(distribution) if distribution is not None else None
        tags = _tlp_tags(item)
        for unknown in (tag for tag in tags if tag not in TAG_TLP):
            why = unknown_tag(unknown)
            self.lines.append((str(item.get("uuid")), reason(MISP_LINE, item=kind, reason=why)))
        level = _strictest(own, parent, *(TAG_TLP.get(tag) for tag in tags))
        if level and item.get("uuid"):
            self.by_uuid[str(item["uuid"])] = level
        return level


def _levels(event: dict[str, Any]) -> tuple[_Levels, str]:
    """Each item's TLP: the strictest of its distribution, its parents' and its ``tlp:`` tags
    (an attribute is never shared wider than its object or event). No distribution and no tag
    anywhere leaves the import's default, TLP:AMBER."""
    levels = _Levels()
    event_level = levels.level(event, None, reason(EVENT)) or TLP.AMBER
    for attribute in event.get("Attribute") or []:
        if isinstance(attribute, dict):
            levels.level(attribute, event_level, reason(ATTRIBUTE, type=attribute.get("type")))
            levels.types[str(attribute.get("uuid"))] = str(attribute.get("type"))
    for misp_object in event.get("Object") or []:
        if not isinstance(misp_object, dict):
            continue
        name = misp_object.get("name")
        object_level = levels.level(misp_object, event_level, reason(OBJECT, name=name))
        for attribute in misp_object.get("Attribute") or []:
            if isinstance(attribute, dict):
                kind = reason(OBJECT_ATTRIBUTE, type=attribute.get("type"), name=name)
                levels.level(attribute, object_level, kind)
    return levels, event_level


def _object_level(obj: dict[str, Any], levels: _Levels, event_level: str) -> str:
    """An object's TLP by the MISP uuid in its id (misp-stix keeps them); relationships take
    the stricter of their ends; the rest (report, galaxies) the event's."""
    if obj.get("type") == "relationship":
        ends = (str(obj.get("source_ref", "")), str(obj.get("target_ref", "")))
        found = [levels.by_uuid.get(end.partition("--")[2]) for end in ends]
        return _strictest(*found, event_level) or event_level
    return levels.by_uuid.get(str(obj.get("id", "")).partition("--")[2], event_level)


def _marked(obj: dict[str, Any], level: str) -> dict[str, Any]:
    """The object with our TLP marking added: ``bundle_import`` keeps the strictest TLP."""
    if obj.get("type") in ("marking-definition", "identity"):
        return obj
    refs = [r for r in obj.get("object_marking_refs") or [] if isinstance(r, str)]
    obj = {**obj, "object_marking_refs": [*refs, TLP_MARKING_IDS[level]]}
    match = _TYPED_ADDRESS.match(str(obj.get("pattern", ""))) if "pattern" in obj else None
    if match:
        obj["pattern"] = f"[network-traffic:{match['ref']}.value = '{match['value']}']"
    return obj


# --- conversion ----------------------------------------------------------------------------------


def _message(message: Any) -> str:
    """A misp-stix message on one line, without the traceback it may carry (indented)."""
    lines = (line.strip() for line in str(message).splitlines() if line[:1].strip())
    return " ".join(lines)[:MAX_REASON]


def _uuid_in(message: str) -> str | None:
    found = _UUID_IN_MESSAGE.search(message)
    return found[1] if found else None


@dataclass
class _Converted:
    objects: list[dict[str, Any]]
    lines: list[tuple[str | None, str]]  # (MISP uuid or None, reason)


def _custom_item(kind: str, label: str) -> str:
    """What a custom ``x-misp-*`` object stands for, in words (its other kinds as MISP names
    them)."""
    if kind == "x-misp-attribute":
        return reason(ATTRIBUTE, type=label)
    if kind == "x-misp-object":
        return reason(OBJECT, name=label)
    return f"{kind.removeprefix('x-misp-').replace('-', ' ')} ({label})"


def _convert(event: dict[str, Any]) -> _Converted:
    """misp-stix's STIX 2.1 objects for one event, marked, and what it could not convert; the
    STIX objects our feed carries as JSON in ``text`` attributes are taken back as they are."""
    attributes = event.get("Attribute") or []
    carried = [o for o in map(carried_object, attributes) if o is not None]
    rest = [a for a in attributes if carried_object(a) is None]
    parser = MISPtoSTIX21Parser()
    try:
        parser.parse_misp_event({"Event": {**event, "Attribute": rest}})
        objects = json.loads(parser.bundle.serialize())["objects"] + carried
    except Exception as exc:  # misp-stix raises anything on input it cannot read
        logger.info("misp-stix could not convert event %s: %r", event.get("uuid"), exc)
        refusal = f"misp-stix could not convert it: {_message(exc)}"
        raise ValidationError({"Event": refusal}) from None
    levels, event_level = _levels(event)
    lines: list[tuple[str | None, str]] = list(levels.lines)
    for messages, line in ((parser.errors, CONVERTER_ERROR), (parser.warnings, CONVERTER_WARNING)):
        for message in map(_message, (m for group in messages.values() for m in group)):
            lines.append((_uuid_in(message), reason(line, detail=message)))
    ids = {str(o.get("id", "")).partition("--")[2] for o in objects}
    for attribute_uuid, kind in levels.types.items():
        if attribute_uuid not in ids:
            item = reason(ATTRIBUTE, type=kind)
            lines.append((attribute_uuid, reason(MISP_LINE, item=item, reason=NOT_CONVERTED)))
    for obj in objects:
        kind = str(obj.get("type", ""))
        if kind.startswith("x-misp-"):
            misp_uuid = str(obj.get("id", "")).partition("--")[2]
            label = next((m[1] for m in map(_MISP_LABEL.match, obj.get("labels", [])) if m), "")
            what = _custom_item(kind, label or "?")
            why = reason(NO_EQUIVALENT, type=kind)
            lines.append((misp_uuid, reason(MISP_LINE, item=what, reason=why)))
    marked = [_marked(o, _object_level(o, levels, event_level)) for o in objects]
    return _Converted(marked, lines)


# --- the service ---------------------------------------------------------------------------------


@dataclass
class EventReport:
    uuid: str
    info: str
    report: ImportReport

    def as_dict(self) -> dict[str, Any]:
        return {"uuid": self.uuid, "info": self.info, **self.report.as_dict()}


@dataclass
class MispImportReport:
    events: list[EventReport] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return {o: sum(e.report.counts[o] for e in self.events) for o in OUTCOMES}

    def as_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "events": [e.as_dict() for e in self.events]}


@transaction.atomic
def misp_events_import(
    *,
    actor: Any,
    agency: Agency,
    events: Any,
    api_key: APIKey | None = None,
    source: str = "misp",
    on_event: Callable[[EventReport], None] | None = None,
) -> MispImportReport:
    """Import MISP events as ``agency``'s objects through misp-stix and ``bundle_import``.

    Every event is checked first (ValidationError naming ``events[i].field``: nothing is
    written); each one's report lists what its STIX import rejected and, as warnings by MISP
    uuid, what the MISP mapping lost (unmapped sharing groups, attributes misp-stix could not
    convert or only as custom ``x-misp-*`` objects). ``on_event`` is called with each event's
    report once it is imported (a progress bar).
    """
    if not isinstance(events, list) or not events:
        raise ValidationError({"events": NOT_A_LIST})
    if len(events) > MAX_EVENTS:
        raise ValidationError({"events": f"At most {MAX_EVENTS} events at a time."})
    checked = [_event(data, index) for index, data in enumerate(events)]
    converted = []
    for index, event in enumerate(checked):
        try:
            converted.append(_convert(event))
        except ValidationError as exc:
            raise ValidationError({f"events[{index}]": exc.message_dict["Event"]}) from None
    result = MispImportReport()
    for event, conversion in zip(checked, converted, strict=True):
        report = bundle_import(
            actor=actor, agency=agency, objects=conversion.objects, api_key=api_key, source=source
        )
        for misp_uuid, why in conversion.lines:
            report.warnings.append({"index": None, "id": misp_uuid, "reason": why})
        result.events.append(EventReport(str(event["uuid"]), str(event["info"]), report))
        if on_event is not None:
            on_event(result.events[-1])
    audit_log(
        actor=actor,
        action="misp.events_imported",
        agency=agency,
        object_type="sharing.indicator",
        summary={
            **result.counts,
            "events": [e.uuid for e in result.events][:100],
            "source": source,
            "api_key": api_key.prefix if api_key else None,
        },
    )
    return result
