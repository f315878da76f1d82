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
    indicator_visible_exists,
    indicator_visible_id_sets,
    shared_with_exists,
    stix_object_visible_exists,
    stix_object_visible_id_sets,
)
from sharing.stix import literal_key

COLLECTION_NAMESPACE = uuid.UUID("0c9b8f4e-2f5d-4a8e-9a57-7d8f1f0e6b3a")
SHARED, SUBMISSIONS, OWN = "shared", "submissions", "own"
TITLES = {SHARED: "Shared with", SUBMISSIONS: "Submissions from", OWN: "Objects of"}


def versions_visible_to(
    *, user: Any, agency: Agency | None = None, paged: bool = False
) -> QuerySet[ObjectVersion]:
    """Versions of the objects the caller may see, and their context: the identities of the
    caller's agency and of the agencies that share with it (``shared_with_exists``), and,
    when there is one of those, the TLP and PAP marking definitions. A reader with nothing to
    see sees nothing, not even context.

    Indicators and other STIX objects each by sharing's rule (``indicator_visible_exists``,
    ``stix_object_visible_exists``), probed per row when ``paged`` so a TAXII page stops after
    ``limit`` rows. A revoked object's versions stay visible to the audiences of its
    still-active shares (``history``): STIX's revocation is itself a version, meant for those
    who had the object.
    """
    if not getattr(user, "is_authenticated", False):
        return ObjectVersion.objects.none()
    kwargs = {"user": user, "agency": agency, "per_row": paged, "history": True}
    identities = Q(shared_with_exists(user=user, agency=agency, ref="owner_id"), context=True)
    any_identity = ObjectVersion.objects.filter(identities, object_type="identity")
    return ObjectVersion.objects.filter(
        Q(Exists(any_identity), context=True, owner__isnull=True)
        | identities
        | indicator_visible_exists(ref="indicator_id", **kwargs)
        | stix_object_visible_exists(ref="stix_object_id", **kwargs)
    )


def _latest_visible(*, user: Any, agency: Agency | None) -> QuerySet[ObjectVersion]:
    """The latest non-context versions of ``versions_visible_to``, found from the caller's
    side: the ids of the indicators and objects it may see (sharing's id sets, ``history``
    as there), each set joined to its versions on their (object, is_latest) index, the
    branches united by id. Filtering every latest version by correlated EXISTS instead read
    the whole table, so the cost followed the table, not what the caller may see."""
    if not getattr(user, "is_authenticated", False):
        return ObjectVersion.objects.none()
    latest = ObjectVersion.objects.filter(is_latest=True, context=False)
    branches = [
        latest.filter(indicator_id__in=ids).order_by().values("pk")
        for ids in indicator_visible_id_sets(user=user, agency=agency, history=True)
    ] + [
        latest.filter(stix_object_id__in=ids).order_by().values("pk")
        for ids in stix_object_visible_id_sets(user=user, agency=agency, history=True)
    ]
    first, *rest = branches
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
    qs = _latest_visible(user=user, agency=agency)
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


def collection_versions(
    *, user: Any, collection: Collection, paged: bool = False
) -> QuerySet[ObjectVersion]:
    """The object versions a readable collection holds for the caller: everything it may see
    ("Shared with"), or of those, its agency's own objects ("Objects of")."""
    agency = collection.agency
    qs = versions_visible_to(user=user, agency=agency, paged=paged)
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
