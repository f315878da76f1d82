"""Inbound indicators: validate each item (simple JSON or STIX), store the valid ones in bulk
in one transaction, report the rest by index (idempotent on STIX id + ``modified``). A large
list's TAXII versions and correlation matches follow moments after the commit
(``sharing/announce.py``)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from agencies.models import TLP, Agency, APIKey, HandlingCode
from agencies.selectors import is_member
from audit.services import audit_log
from cases.selectors import cases_visible_to
from common import lookups  # noqa: F401  (registers field__any)
from common.bulk import copy_instances, new_instance
from common.dates import parse_iso_datetime
from sharing import signals, stix
from sharing.announce import indicators_announce
from sharing.models import PAP, Indicator, IndicatorType
from sharing.normalize import (
    NOT_A_DATETIME,
    NOT_A_TYPE,
    FieldError,
    InvalidValue,
    normalize,
    reason,
)
from sharing.outbox import tombstones
from sharing.permissions import sync_indicators_permissions

NOT_AN_OBJECT = gettext_lazy("Each item must be a JSON object.")
VALUE_HELD = gettext_lazy(
    "This agency already holds this value as %(id)s; import STIX bundles "
    "(/api/v1/stix/bundles/ or TAXII) to keep both ids."
)
VALUE_TAKEN = gettext_lazy("This agency already holds the new value as %(id)s.")
NO_SUCH_CASE = gettext_lazy("No such case.")
VALID_UNTIL_NOT_LATER = gettext_lazy(
    "valid_until must be later than valid_from (first_seen, else created)."
)
LAST_SEEN_BEFORE = gettext_lazy("last_seen is before first_seen.")
VALUE_REQUIRED = gettext_lazy("A value (string) is required.")
CONFIDENCE = gettext_lazy("An integer from 0 to 100 is required.")
NOT_A_CHOICE = gettext_lazy("%(value)s is not one of %(choices)s.")
STRING_REQUIRED = gettext_lazy("A string is required.")
STRINGS_REQUIRED = gettext_lazy("A list of strings is required.")


# The API names items by their index in the request; the paste page names lines instead.
DUPLICATE = gettext_lazy("Duplicate of item %(index)s in this request.")


@dataclass
class IngestReport:
    created: list[Indicator] = field(default_factory=list)
    updated: list[Indicator] = field(default_factory=list)
    unchanged: list[Indicator] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    # index -> (status, indicator) for per-item reports
    items: dict[int, tuple[str, Indicator]] = field(default_factory=dict)
    # index -> the indicator already holding the value of a STIX item with an id of its own
    # (``same_value="keep"``: the caller stores the object under its id)
    same_value: dict[int, Indicator] = field(default_factory=dict)
    # index -> the earlier index whose value (or STIX id) it repeats; rejected with DUPLICATE
    duplicate_of: dict[int, int] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": len(self.unchanged),
            "rejected": len(self.errors),
        }

    def reject(self, index: int, field_name: str, reason: str) -> None:
        self.errors.append({"index": index, "field": field_name, "reason": reason})


_CHOICES = {
    "tlp": set(TLP.values),
    "pap": set(PAP.values),
    "handling_code": set(HandlingCode.values),
}
_DATES = ("first_seen", "last_seen", "valid_until", "created", "modified")
# Computed once: ``IndicatorType.values`` builds a new list on every access.
_TYPES = frozenset(IndicatorType.values)
_TYPE_NAMES = ", ".join(IndicatorType.values)


class _ItemError(Exception):
    """``reason``: a sentence translated when shown (built only for a refused item)."""

    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field_name, reason


def _date(name: str, value: Any) -> datetime | None:
    try:
        return parse_iso_datetime(value)
    except ValueError:
        raise _ItemError(name, reason(NOT_A_DATETIME, value=repr(value))) from None


def _item_data(raw: Any) -> dict[str, Any]:
    """The item's fields by our names: a STIX indicator is translated, simple JSON copied."""
    if not isinstance(raw, dict):
        raise _ItemError("non_field_errors", reason(NOT_AN_OBJECT))
    if raw.get("type") == "indicator":
        try:
            return stix.fields_from_stix(raw)
        except FieldError as exc:
            raise _ItemError(exc.field, exc.why) from None
    data = {k: v for k, v in raw.items() if k not in ("stix_modified", "stix_extra")}  # STIX's
    if "id" in data:
        try:
            data["stix_uuid"] = stix.parse_id(data.pop("id"))
        except FieldError as exc:
            raise _ItemError(exc.field, exc.why) from None
    return data


def _typed_value(data: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
    """The defaults plus type, value and normalised value (and the STIX id when given)."""
    type_ = data.get("type")
    if not isinstance(type_, str) or type_ not in _TYPES:
        raise _ItemError("type", reason(NOT_A_TYPE, type=repr(type_), types=_TYPE_NAMES))
    value = data.get("value")
    if not isinstance(value, str):
        raise _ItemError("value", reason(VALUE_REQUIRED))
    try:
        normalized = normalize(type_, value)
    except InvalidValue as exc:
        raise _ItemError("value", exc.reason) from None
    fields = {**defaults, "type": type_, "value": value[:2000], "normalized": normalized}
    if "stix_uuid" in data:
        fields["stix_uuid"] = data["stix_uuid"]
    return fields


def _check_confidence(confidence: Any) -> int:
    if (
        not isinstance(confidence, int)
        or isinstance(confidence, bool)
        or not 0 <= confidence <= 100
    ):
        raise _ItemError("confidence", reason(CONFIDENCE))
    return confidence


def _optional_fields(data: dict[str, Any], fields: dict[str, Any]) -> None:
    """Dates, confidence, choices, text, labels, revocation and case, into ``fields``."""
    for name in _DATES:
        if name in data:
            fields[name] = _date(name, data[name])
    if isinstance(data.get("stix_modified"), str):  # as a STIX item spelt it (only read while
        fields["stix_modified"] = data["stix_modified"][:40]  # it parses to ``modified``)
        fields["stix_extra"] = data.get("stix_extra")  # a STIX item's other properties
    if "confidence" in data:
        fields["confidence"] = _check_confidence(data["confidence"])
    for name, allowed in _CHOICES.items():
        if name in data:
            choice = str(data[name]).upper()
            if choice not in allowed:
                choices = ", ".join(sorted(allowed))
                raise _ItemError(
                    name, reason(NOT_A_CHOICE, value=repr(data[name]), choices=choices)
                )
            fields[name] = choice
    if "description" in data:
        if not isinstance(data["description"], str):
            raise _ItemError("description", reason(STRING_REQUIRED))
        fields["description"] = data["description"][:10000]
    if "labels" in data:
        labels = data["labels"]
        if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
            raise _ItemError("labels", reason(STRINGS_REQUIRED))
        fields["labels"] = labels[:50]
    if "revoked" in data and data["revoked"] is True:
        fields["revoked"] = True
    if "case" in data and data["case"] is not None:
        fields["case_id"] = data["case"]


def _clean_item(raw: Any, defaults: dict[str, Any]) -> dict[str, Any]:
    """Validated model fields for one inbound item (simple JSON or a STIX indicator)."""
    data = _item_data(raw)
    fields = _typed_value(data, defaults)
    _optional_fields(data, fields)
    first_seen, last_seen = fields.get("first_seen"), fields.get("last_seen")
    if first_seen and last_seen and last_seen < first_seen:
        raise _ItemError("last_seen", reason(LAST_SEEN_BEFORE))
    valid_from, valid_until = first_seen or fields.get("created"), fields.get("valid_until")
    if valid_from and valid_until and valid_until <= valid_from:
        raise _ItemError("valid_until", reason(VALID_UNTIL_NOT_LATER))
    return fields


_UPDATABLE = [
    "value",
    "description",
    "labels",
    "confidence",
    "tlp",
    "pap",
    "handling_code",
    "first_seen",
    "last_seen",
    "valid_until",
    "modified",
    "stix_modified",
    "stix_extra",
    "revoked",
    "revoked_at",
]

Cleaned = list[tuple[int, dict[str, Any]]]  # (index in the request, model fields)


def _clean_items(
    items: list[Any], base: dict[str, Any], report: IngestReport
) -> tuple[Cleaned, dict[int, int]]:
    """Valid items, each value and STIX id once; the rest reported by index. Also: index ->
    earlier index, for STIX items with an id of their own whose value an earlier item has."""
    cleaned: Cleaned = []
    seen_ids: dict[Any, int] = {}
    seen_values: dict[tuple[str, str], int] = {}
    same_as: dict[int, int] = {}
    for index, raw in enumerate(items):
        try:
            fields = _clean_item(raw, base)
        except _ItemError as exc:
            report.reject(index, exc.field, exc.reason)
            continue
        key = (fields["type"], fields["normalized"])
        stix_uuid = fields.get("stix_uuid")
        dup = seen_ids.get(stix_uuid) if stix_uuid is not None else None
        if dup is None and key in seen_values:
            if stix_uuid is not None and isinstance(raw, dict) and raw.get("type") == "indicator":
                same_as[index] = seen_values[key]
                continue
            dup = seen_values[key]
        if dup is not None:
            report.reject(index, "value", reason(DUPLICATE, index=dup))
            report.duplicate_of[index] = dup
            continue
        seen_values[key] = index
        if stix_uuid is not None:
            seen_ids[stix_uuid] = index
        cleaned.append((index, fields))
    return cleaned, same_as


def _check_cases(
    items: Cleaned, *, actor: Any, agency: Agency | None, report: IngestReport
) -> Cleaned:
    """Drop items whose case is not one the actor can see (reported, not raised)."""
    case_ids = {f["case_id"] for _, f in items if "case_id" in f}
    if not case_ids:
        return items
    visible = set(
        cases_visible_to(user=actor, agency=agency)
        .filter(pk__in=[c for c in case_ids if isinstance(c, int)])
        .values_list("pk", flat=True)
    )
    kept = []
    for index, fields in items:
        if "case_id" in fields and fields["case_id"] not in visible:
            report.reject(index, "case", reason(NO_SUCH_CASE))
        else:
            kept.append((index, fields))
    return kept


@dataclass
class _Stored:
    """The agency's indicators the items may be versions of: by STIX id (its own copies
    only — another agency's object of that id is none of this agency's business), else, for
    items without an id, by value."""

    by_uuid: dict[Any, Indicator]
    by_value: dict[tuple[str, str], Indicator]

    def find(self, fields: dict[str, Any]) -> Indicator | None:
        if "stix_uuid" in fields:
            return self.by_uuid.get(fields["stix_uuid"])
        return self.by_value.get((fields["type"], fields["normalized"]))

    def holder(self, fields: dict[str, Any]) -> Indicator | None:
        """The indicator holding the item's value under another id, if any."""
        return self.by_value.get((fields["type"], fields["normalized"]))


def _stored(items: Cleaned, agency: Agency) -> _Stored:
    """One query by STIX id and one per type by value, each list sent as one array."""
    uuids = [f["stix_uuid"] for _, f in items if "stix_uuid" in f]
    by_uuid = {i.stix_uuid: i for i in Indicator.objects.filter(owner=agency, stix_uuid__any=uuids)}
    by_value: dict[tuple[str, str], Indicator] = {}
    values_by_type: dict[str, list[str]] = defaultdict(list)
    for _, f in items:
        values_by_type[f["type"]].append(f["normalized"])
    for type_, values in values_by_type.items():  # (owner, type, normalized): the unique index
        for ind in Indicator.objects.filter(owner=agency, type=type_, normalized__any=values):
            by_value[(ind.type, ind.normalized)] = ind
    return _Stored(by_uuid, by_value)


def _new_version(
    index: int,
    fields: dict[str, Any],
    existing: Indicator,
    *,
    stored: _Stored,
    revalued: list[Indicator],
    report: IngestReport,
) -> bool:
    """Apply a newer version to ``existing``; False when it is unchanged or refused. A newer
    version may change the value (STIX 2.1 §3.6: any property), unless the agency holds the
    new value as another indicator."""
    incoming = fields.get("modified")
    if incoming is None or incoming <= existing.modified:
        report.unchanged.append(existing)
        report.items[index] = ("unchanged", existing)
        return False
    key = (fields["type"], fields["normalized"])
    if key != (existing.type, existing.normalized):
        other = stored.by_value.get(key)
        if other is not None and other.pk != existing.pk:
            report.reject(index, "pattern", reason(VALUE_TAKEN, id=other.stix_id))
            return False
        stored.by_value.pop((existing.type, existing.normalized), None)
        stored.by_value[key] = existing
        existing.type, existing.normalized = key
        revalued.append(existing)
    for name in _UPDATABLE:
        if name in fields:
            setattr(existing, name, fields[name])
    return True


def _sort(
    items: Cleaned, stored: _Stored, *, now: datetime, report: IngestReport
) -> tuple[list[tuple[int, Indicator]], list[Indicator], list[Indicator]]:
    """(new indicators by index, stored indicators changed by a newer version, those of them
    whose value changed). A STIX item with an id of its own whose value the agency holds
    under another id goes to ``report.same_value``."""
    new: list[tuple[int, Indicator]] = []
    changed: list[Indicator] = []
    revalued: list[Indicator] = []
    for index, fields in items:
        existing = stored.find(fields)
        if existing is not None:
            if _new_version(
                index, fields, existing, stored=stored, revalued=revalued, report=report
            ):
                if existing.revoked and not existing.revoked_at:
                    existing.revoked_at = now
                changed.append(existing)
                report.updated.append(existing)
                report.items[index] = ("updated", existing)
            continue
        holder = stored.holder(fields)
        if holder is not None:
            report.same_value[index] = holder
            continue
        fields.setdefault("created", now)
        fields.setdefault("modified", fields["created"])
        if fields.get("revoked"):
            fields["revoked_at"] = now
        new.append((index, new_instance(Indicator, fields)))
    return new, changed, revalued


def _create(new: list[tuple[int, Indicator]], *, agency: Agency, report: IngestReport) -> None:
    """COPY the new rows, give the owner its permission rows, tell the listeners."""
    if not new:
        return
    copy_instances(Indicator, [i for _, i in new])
    owner_cache = Indicator.owner.field  # as ``indicator.owner = agency``, without its checks
    for index, indicator in new:
        owner_cache.set_cached_value(indicator, agency)
        report.created.append(indicator)
        report.items[index] = ("created", indicator)
    sync_indicators_permissions(report.created, fresh=True)
    indicators_announce(report.created, action="created")


def _update(changed: list[Indicator], revalued: list[Indicator]) -> None:
    """Save newer versions; their audience may change (TLP, revocation), so resync it; those
    whose value changed are matched afresh."""
    if not changed:
        return
    Indicator.objects.bulk_update(
        changed, [*_UPDATABLE, *(["type", "normalized"] if revalued else [])], batch_size=2000
    )
    indicators_announce(changed, action="updated")
    if revalued:
        signals.indicators_changed.send(Indicator, indicators=revalued, action="revalued")
    sync_indicators_permissions(changed)
    revoked = [i for i in changed if i.revoked]
    if revoked:
        tombstones(revoked, keep_entitled=False)


@transaction.atomic(savepoint=False)  # no savepoint: a STIX import's writes go on meanwhile
def indicators_ingest(
    *,
    actor: Any,
    agency: Agency,
    items: list[Any],
    api_key: APIKey | None = None,
    defaults: dict[str, Any] | None = None,
    source: str = "api",
    keep_same_value: bool = False,
) -> IngestReport:
    """Store valid items for ``agency`` (bulk), report the rest by index, field and reason.

    Idempotent on STIX id + ``modified`` within the agency's own copies: an item whose id the
    agency holds with the same or a newer ``modified`` is unchanged; a newer one updates the
    stored indicator (its value too). A STIX item with an id of its own whose value the agency
    already holds under another id is refused, naming that id — or, with ``keep_same_value``
    (the STIX import, which stores it as a STIX object of its own), handed back in
    ``report.same_value``.
    """
    if not is_member(user=actor, of=agency):
        raise PermissionDenied(f"{actor} is not an active member of {agency.code}.")
    report = IngestReport()
    base = {
        "owner_id": agency.pk,
        "created_by_id": actor.pk,
        "source_api_key_id": api_key.pk if api_key else None,
        **(defaults or {}),
    }
    cleaned, same_as = _clean_items(items, base, report)
    cleaned = _check_cases(cleaned, actor=actor, agency=agency, report=report)
    new, changed, revalued = _sort(
        cleaned, _stored(cleaned, agency), now=timezone.now(), report=report
    )
    _create(new, agency=agency, report=report)
    _update(changed, revalued)
    for index, earlier in same_as.items():
        if earlier in report.items:
            report.same_value[index] = report.items[earlier][1]
        elif earlier in report.same_value:
            report.same_value[index] = report.same_value[earlier]
        else:
            report.reject(index, "value", reason(DUPLICATE, index=earlier))
            report.duplicate_of[index] = earlier
    if not keep_same_value:
        for index, holder in sorted(report.same_value.items()):
            report.reject(index, "id", reason(VALUE_HELD, id=holder.stix_id))
        report.same_value.clear()
    if report.created or report.updated:
        audit_log(
            actor=actor,
            action="indicator.ingested",
            agency=agency,
            object_type="sharing.indicator",
            summary={
                **report.counts(),
                "source": source,
                "api_key": api_key.prefix if api_key else None,
            },
        )
    return report
