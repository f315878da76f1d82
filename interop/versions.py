"""TAXII object versions: one row per (STIX id, modified), with the ``date_added`` TAXII
pages by. Recorded as sharing announces indicator writes — in the writing transaction, or for
a large ingest moments after its commit, so a TAXII client may see such indicators a little
later than the ingest's response — and as pattern-only indicators arrive."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, models
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from agencies.models import Agency
from common import lookups  # noqa: F401  (registers field__any)
from common.bulk import copy_rows, json_text
from common.dates import parse_iso_datetime
from interop import stix
from interop.models import ObjectVersion
from sharing import stix as sharing_stix
from sharing.models import PAP, Indicator, StixObject

BATCH = 5000
COPY_FIELDS = [
    "stix_id",
    "object_type",
    "modified",
    "date_added",
    "owner",
    "indicator",
    "is_latest",
    "body",
    "version",
]


def _stamps(count: int) -> list[datetime]:
    """Distinct, increasing date_added values (one microsecond apart)."""
    now = timezone.now()
    return [now + timedelta(microseconds=i) for i in range(count)]


def _mark_latest(scope: Q, model: type[models.Model], fk: str) -> None:
    current = model._default_manager.filter(pk=OuterRef(fk)).values("modified")[:1]
    ObjectVersion.objects.filter(scope, is_latest=True).filter(
        modified__lt=Subquery(current)
    ).update(is_latest=False)


def versions_record(indicators: Sequence[Indicator], *, fresh: bool = False) -> int:
    """Store the current STIX version of each indicator (idempotent on id + modified).

    ``fresh`` (just-created indicators) uses COPY for those with no version yet; a large
    ingest announces its new indicators after the commit, by when an update may have
    recorded one, so those go through the idempotent insert like any other.
    """
    if not indicators:
        return 0
    owners = Agency.objects.in_bulk({i.owner_id for i in indicators})
    for indicator in indicators:
        if not Indicator.owner.is_cached(indicator):
            indicator.owner = owners[indicator.owner_id]  # one query, not one per indicator
    codes = {pk: agency.code for pk, agency in owners.items()}
    context_record(owners)
    if not fresh:
        return _insert(indicators, codes)
    versioned = set(
        ObjectVersion.objects.filter(indicator_id__any=[i.pk for i in indicators]).values_list(
            "indicator_id", flat=True
        )
    )
    first = [i for i in indicators if i.pk not in versioned]
    again = [i for i in indicators if i.pk in versioned]
    return _copy(first, codes) + (_insert(again, codes) if again else 0)


def _bodies(indicators: Sequence[Indicator], codes: dict[int, str]) -> list[tuple[str, str]]:
    """(serialised STIX object, its ``modified`` as written: the version string)."""
    objects = [stix.indicator_stix(i, codes[i.owner_id]) for i in indicators]
    return [(json_text(o), o["modified"]) for o in objects]


def _copy(indicators: Sequence[Indicator], codes: dict[int, str]) -> int:
    """COPY the first (latest) version of indicators that have none."""
    return copy_rows(
        ObjectVersion,
        COPY_FIELDS,
        (
            (i.stix_id, "indicator", i.modified, stamp, i.owner_id, i.pk, True, body, version)
            for i, stamp, (body, version) in zip(
                indicators, _stamps(len(indicators)), _bodies(indicators, codes), strict=True
            )
        ),
    )


def _insert(indicators: Sequence[Indicator], codes: dict[int, str]) -> int:
    """Insert the versions not stored yet and mark the older ones not latest."""
    rows = [
        ObjectVersion(
            stix_id=i.stix_id,
            modified=i.modified,
            date_added=stamp,
            owner_id=i.owner_id,
            indicator_id=i.pk,
            body=body,
            version=version,
        )
        for i, stamp, (body, version) in zip(
            indicators, _stamps(len(indicators)), _bodies(indicators, codes), strict=True
        )
    ]
    ObjectVersion.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    _mark_latest(Q(indicator_id__in=[i.pk for i in indicators]), Indicator, "indicator_id")
    return len(rows)


@dataclass(frozen=True)
class Version:
    """One version of a STIX object to record: the object (its newest state), the version as
    served, its ``modified`` and its version string as the object wrote it."""

    stix_object: StixObject
    body: dict[str, Any]
    modified: datetime
    version: str


OBJECT_FIELDS = [
    "stix_id",
    "object_type",
    "modified",
    "version",
    "date_added",
    "owner",
    "stix_object",
    "is_latest",
    "body",
]


def object_versions_record(
    versions: Sequence[Version], *, first: Sequence[Version] = (), context: bool = True
) -> None:
    """Store these versions of STIX objects (idempotent on owner + id + modified), and
    ``first``, the first versions of objects just created (COPY: none can exist yet); each
    object's newest is its latest. ``context=False``: the caller records the owners'
    context (``context_record``) itself, once for many calls."""
    if not versions and not first:
        return
    stamps = iter(_stamps(len(versions) + len(first)))
    copy_rows(
        ObjectVersion,
        OBJECT_FIELDS,
        (
            (
                *(v.stix_object.stix_id, v.stix_object.type, v.modified, v.version, next(stamps)),
                *(v.stix_object.owner_id, v.stix_object.pk, True, json_text(v.body)),
            )
            for v in first
        ),
    )
    rows = [
        ObjectVersion(
            stix_id=v.stix_object.stix_id,
            object_type=v.stix_object.type,
            modified=v.modified,
            version=v.version,
            date_added=next(stamps),
            owner_id=v.stix_object.owner_id,
            stix_object=v.stix_object,
            is_latest=v.modified >= v.stix_object.modified,
            body=json_text(v.body),
        )
        for v in versions
    ]
    ObjectVersion.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=True)
    if rows:
        ids = list({v.stix_object.pk for v in versions})
        _mark_latest(Q(stix_object_id__any=ids), StixObject, "stix_object_id")
    if context:
        context_record({v.stix_object.owner_id for v in [*first, *versions]})


def context_record(owner_ids: Iterable[int]) -> None:
    """The context every collection serves, recorded once: the identities of these owning
    agencies, the TLP and PAP marking definitions our objects refer to, the TLP 1.0 ones
    STIX 2.1 defines (imports read them as their TLP 2.0 level, yet a client may still ask
    for the one it marked with, or an object refer to one in its granular markings), and
    our extension's definition with the platform identity that publishes it."""
    agencies = list(Agency.objects.filter(pk__in=set(owner_ids)))
    wanted: list[tuple[int | None, dict[str, Any]]] = [(a.pk, stix.identity(a)) for a in agencies]
    wanted += [(None, sharing_stix.tlp_marking(t)) for t in sharing_stix.TLP_MARKING_IDS]
    wanted += [(None, marking) for marking in sharing_stix.tlp1_markings()]
    wanted += [(None, sharing_stix.pap_marking(p)) for p in PAP.values]
    wanted += [
        (None, sharing_stix.extension_definition()),
        (None, sharing_stix.platform_identity()),
    ]
    present = set(
        ObjectVersion.objects.filter(
            context=True, stix_id__in=[obj["id"] for _, obj in wanted]
        ).values_list("stix_id", "owner_id")
    )
    rows = [
        ObjectVersion(
            stix_id=obj["id"],
            object_type=obj["type"],
            modified=parse_iso_datetime(obj.get("modified", obj["created"])) or timezone.now(),
            version=obj.get("modified", obj["created"]),
            owner_id=owner,
            context=True,
            body=json_text(obj),
        )
        for owner, obj in wanted
        if (obj["id"], owner) not in present
    ]
    ObjectVersion.objects.bulk_create(rows, ignore_conflicts=True)


def _republish(column: str, ids: list[int]) -> None:
    """The latest versions of these objects (by ``column``: indicator_id or stix_object_id)
    count as newly added, so a TAXII client polling with ``added_after`` gets them."""
    if connection.vendor == "postgresql":
        table = ObjectVersion._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} v SET date_added = %s + r.rn * interval '1 microsecond' "
                f"FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM {table} "
                f"WHERE is_latest AND {column} = ANY(%s)) r WHERE v.id = r.id",
                [timezone.now(), ids],
            )
        return
    latest = list(
        ObjectVersion.objects.filter(**{f"{column}__in": ids, "is_latest": True}).order_by("pk")
    )
    for version, stamp in zip(latest, _stamps(len(latest)), strict=True):
        version.date_added = stamp
    ObjectVersion.objects.bulk_update(latest, ["date_added"], batch_size=BATCH)


def versions_republish(indicators: Sequence[Indicator]) -> None:
    """A share widened who sees these: their latest versions count as newly added."""
    _republish("indicator_id", [i.pk for i in indicators])


def object_versions_republish(objects: Sequence[StixObject]) -> None:
    """``versions_republish`` for STIX objects."""
    _republish("stix_object_id", [o.pk for o in objects])


def object_current_version(stix_object: StixObject) -> Version:
    """The object's current state (``body``, as sharing last wrote it) as a version to record."""
    body = stix.stix_object_stix(stix_object, stix_object.owner.code)
    modified = stix_object.body.get("modified")
    version = str(modified or sharing_stix.modified_stamp(stix_object.modified))
    return Version(stix_object, body, stix_object.modified, version)


def versions_backfill() -> int:
    """Versions for indicators that predate interop (or were written around sharing)."""
    missing = Indicator.objects.exclude(
        pk__in=ObjectVersion.objects.filter(indicator__isnull=False).values("indicator_id")
    ).order_by("pk")
    total, last = 0, 0
    while batch := list(missing.filter(pk__gt=last).select_related("owner")[:BATCH]):
        total += versions_record(batch)
        last = batch[-1].pk
    return total
