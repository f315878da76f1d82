"""Permission-filtered reads for interop: TAXII object versions, collections and statuses.
Visibility of indicators is sharing's (``sharing.selectors``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Q, QuerySet

from agencies.models import Agency
from cases.selectors import cases_visible_to
from interop.models import ObjectVersion, PatternLiteral, TaxiiStatus
from sharing.models import IndicatorType, StixObject
from sharing.selectors import (
    indicator_visible_id_sets,
    shared_with_exists,
    stix_object_visible_id_sets,
)
from sharing.stix import literal_key

COLLECTION_NAMESPACE = uuid.UUID("0c9b8f4e-2f5d-4a8e-9a57-7d8f1f0e6b3a")
SHARED, SUBMISSIONS, OWN = "shared", "submissions", "own"
TITLES = {SHARED: "Shared with", SUBMISSIONS: "Submissions from", OWN: "Objects of"}


def versions_visible_to(*, user: Any, agency: Agency | None = None) -> QuerySet[ObjectVersion]:
    """Versions of the objects the caller may see, and their context: the identities of the
    caller's agency and of the agencies that share with it (``shared_with_exists``), and,
    when there is one of those, the TLP and PAP marking definitions. A reader with nothing to
    see sees nothing, not even context.

    Indicators and other STIX objects each by sharing's rule, read from the caller's side
    (``_object_branches``). A revoked object's versions stay visible to the audiences of its
    still-active shares (``history``): STIX's revocation is itself a version, meant for those
    who had the object.
    """
    if not getattr(user, "is_authenticated", False):
        return ObjectVersion.objects.none()
    # Context rows by their owner's index (an agency the caller may know, or none), so no
    # branch scans the table: a plan costed at a full scan also pays PostgreSQL's JIT.
    known = Agency.objects.filter(shared_with_exists(user=user, agency=agency, ref="id"))
    identities = ObjectVersion.objects.filter(context=True, owner_id__in=known.values("pk"))
    definitions = ObjectVersion.objects.filter(
        Exists(identities.filter(object_type="identity")), context=True, owner__isnull=True
    )
    branches = _object_branches(user=user, agency=agency, versions=ObjectVersion.objects.all())
    return _united([*branches, identities, definitions])


def _object_branches(
    *, user: Any, agency: Agency | None, versions: QuerySet[ObjectVersion]
) -> list[QuerySet[ObjectVersion]]:
    """Of ``versions``, those of the indicators and of the other STIX objects the caller may
    see: sharing's id sets (``*_visible_id_sets``, with ``history``), each joined to its
    versions on their (object, is_latest) index. Their cost follows what the caller may see;
    filtering every version by correlated EXISTS instead read the whole table (seconds for a
    partner that sees 24 of 100k versions)."""
    return [
        versions.filter(indicator_id__in=ids)
        for ids in indicator_visible_id_sets(user=user, agency=agency, history=True)
    ] + [
        versions.filter(stix_object_id__in=ids)
        for ids in stix_object_visible_id_sets(user=user, agency=agency, history=True)
    ]


def _united(branches: list[QuerySet[ObjectVersion]]) -> QuerySet[ObjectVersion]:
    """The versions in any of ``branches``, as one filterable queryset (a union of ids)."""
    first, *rest = [b.order_by().values("pk") for b in branches]
    return ObjectVersion.objects.filter(pk__in=first.union(*rest))


def export_versions(
    *,
    user: Any,
    agency: Agency | None = None,
    type: str = "",
    case: int | None = None,
    since: Any = None,
    until: Any = None,
    value: str = "",
) -> QuerySet[ObjectVersion]:
    """The latest version of every object the caller may see (not the context: the export
    adds what its objects refer to), filtered for a STIX export.

    ``type``: an indicator type, "pattern" (pattern-only indicators) or a STIX type.
    ``value`` finds indicators of that (normalised) value and pattern-only indicators whose
    pattern compares against it.
    """
    if not getattr(user, "is_authenticated", False):
        return ObjectVersion.objects.none()
    latest = ObjectVersion.objects.filter(is_latest=True, context=False)
    qs = _united(_object_branches(user=user, agency=agency, versions=latest))
    if value:
        keys = {literal_key(value), value.strip().lower()}
        literals = PatternLiteral.objects.filter(value__in=keys).values("stix_object_id")
        qs = qs.filter(Q(indicator__normalized__in=keys) | Q(stix_object_id__in=literals))
    if type == "pattern":
        qs = qs.filter(stix_object__type="indicator")
    elif type in IndicatorType.values:
        qs = qs.filter(indicator__type=type)
    elif type:
        qs = qs.filter(object_type=type)
    if case is not None:  # only a case the caller sees: no probing of invisible cases' links
        visible = cases_visible_to(user=user, agency=agency).filter(pk=case).values("pk")
        qs = qs.filter(indicator__case_id__in=visible)
    if since is not None:
        qs = qs.filter(modified__gte=since)
    if until is not None:
        qs = qs.filter(modified__lte=until)
    return qs.order_by("date_added", "id")


@dataclass(frozen=True)
class Collection:
    """One of an agency's three collections: what it may see (read), where it submits
    (write), and its own objects (read/write, so a read/write client such as stix2's
    ``TAXIICollectionStore`` can add, get, query and delete them)."""

    id: str
    agency: Agency
    kind: str

    @property
    def title(self) -> str:
        return f"{TITLES[self.kind]} {self.agency.code}"

    @property
    def can_read(self) -> bool:
        return self.kind in (SHARED, OWN)

    @property
    def can_write(self) -> bool:
        return self.kind in (SUBMISSIONS, OWN)


def collection_id(agency: Agency, kind: str) -> str:
    return str(uuid.uuid5(COLLECTION_NAMESPACE, f"{agency.code}:{kind}"))


def collections_for(*, agency: Agency) -> list[Collection]:
    """The three collections of an agency: what it may see, where it submits, and its own
    objects (a service provider has none)."""
    if agency.is_service_provider:
        return []
    return [Collection(collection_id(agency, k), agency, k) for k in (SHARED, SUBMISSIONS, OWN)]


def collection_versions(*, user: Any, collection: Collection) -> QuerySet[ObjectVersion]:
    """The object versions a readable collection holds for the caller: everything it may see
    ("Shared with"), or of those, its agency's own objects ("Objects of")."""
    agency = collection.agency
    qs = versions_visible_to(user=user, agency=agency)
    return qs.filter(Q(owner=agency) | Q(context=True)) if collection.kind == OWN else qs


def access_collection(*, agency: Agency, pk: str) -> Collection | None:
    return next((c for c in collections_for(agency=agency) if c.id == pk), None)


def access_status(*, agency: Agency, pk: str) -> TaxiiStatus | None:
    try:
        return TaxiiStatus.objects.filter(agency=agency, uuid=uuid.UUID(pk)).first()
    except ValueError:
        return None


def stix_object_versions(*, stix_object: StixObject) -> QuerySet[ObjectVersion]:
    """The versions TAXII holds of an object the caller may already see (its access is the
    caller's: ``sharing.selectors.access_stix_object``), newest first."""
    return ObjectVersion.objects.filter(stix_object=stix_object).order_by("-modified", "-id")
