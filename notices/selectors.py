"""Permission-filtered reads of notices: visibility, roles, search, queue, public extracts."""

from __future__ import annotations

import unicodedata
from datetime import date, datetime
from difflib import SequenceMatcher
from typing import Any

from django.contrib.postgres.lookups import Unaccent
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connection
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Concat, Greatest, Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.access import get_visible_or_404, visible_filter
from agencies.models import Agency, Membership
from agencies.selectors import active_memberships
from audit.models import AuditEvent
from notices.models import PUBLIC_TYPES, Notice, NoticeGroupObjectPermission
from notices.permissions import recipient_groups

# Minimum trigram word similarity for a query word to match a name (PostgreSQL).
NAME_SIMILARITY = 0.3
# Minimum difflib ratio for a query word to match a name word (SQLite fallback).
FALLBACK_RATIO = 0.7


def notices_visible_to(*, user: Any, agency: Agency | None = None) -> QuerySet[Notice]:
    return Notice.objects.filter(
        visible_filter(
            user=user,
            codename="view_notice",
            group_model=NoticeGroupObjectPermission,
            agency=agency,
        )
    ).select_related("requesting_agency__country", "created_by")


def case_notice_ids(*, user: Any, case: Any, agency: Agency | None = None) -> QuerySet[Any]:
    """The notices linked to ``case`` that the user may see (for the case timeline)."""
    return (
        notices_visible_to(user=user, agency=agency).filter(case=case).values_list("pk", flat=True)
    )


def access_notice(*, user: Any, pk: Any, agency: Agency | None = None) -> Notice:
    """The notice if the user may see it, else 404 (same answer as a missing one)."""
    return get_visible_or_404(notices_visible_to(user=user, agency=agency), pk=pk)


def is_reviewer(*, user: Any, agency: Agency | None = None) -> bool:
    """An active reviewer of a secretariat agency (of the key's agency when acting with a key)."""
    if not getattr(user, "is_authenticated", False):
        return False
    memberships = active_memberships(user=user).filter(
        role=Membership.Role.REVIEWER, agency__kind=Agency.Kind.SECRETARIAT
    )
    if agency is not None:
        memberships = memberships.filter(agency=agency)
    return memberships.exists()


def is_requester(*, user: Any, notice: Notice, agency: Agency | None = None) -> bool:
    """An active member of the requesting agency (acting for it, when acting with a key)."""
    if agency is not None and agency.pk != notice.requesting_agency_id:
        return False
    return active_memberships(user=user).filter(agency_id=notice.requesting_agency_id).exists()


def requesting_agencies(*, user: Any, agency: Agency | None = None) -> QuerySet[Agency]:
    """Agencies the user may request notices for (not secretariats: they review)."""
    agencies = Agency.objects.filter(
        pk__in=active_memberships(user=user).values("agency_id"), active=True
    ).exclude(kind=Agency.Kind.SECRETARIAT)
    if agency is not None:
        agencies = agencies.filter(pk=agency.pk)
    return agencies.select_related("country")


def review_queue(*, user: Any, agency: Agency | None = None) -> QuerySet[Notice]:
    """Notices waiting for a reviewer, oldest submission first."""
    return (
        notices_visible_to(user=user, agency=agency)
        .filter(status__in=[Notice.Status.SUBMITTED, Notice.Status.UNDER_REVIEW])
        .order_by("submitted_at", "id")
    )


def _fold(text: str) -> str:
    """Lower-case without accents: the fallback's stand-in for unaccent()."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _word_matches(query: str, words: list[str]) -> bool:
    return any(
        query in word or SequenceMatcher(None, query, word).ratio() >= FALLBACK_RATIO
        for word in words
    )


def _filter_by_name_fallback(notices: QuerySet[Notice], words: list[str]) -> QuerySet[Notice]:
    """SQLite (the embedded demo): fold accents and compare words in Python.

    Linear in the number of visible notices with a name, which is fine for the demo database;
    production runs on PostgreSQL and uses pg_trgm.
    """
    wanted = [_fold(word) for word in words]
    candidates = notices.exclude(family_name="", forenames="").values_list(
        "pk", "forenames", "family_name"
    )
    matching = [
        pk
        for pk, forenames, family_name in candidates
        if all(_word_matches(q, _fold(f"{forenames} {family_name}").split()) for q in wanted)
    ]
    return notices.filter(pk__in=matching)


def filter_by_name(notices: QuerySet[Notice], name: str) -> QuerySet[Notice]:
    """Every word of ``name`` must match the subject's name, ignoring accents and typos.

    PostgreSQL: pg_trgm word similarity over unaccented names, best matches first.
    SQLite (the demo): accents folded and words compared in Python (difflib).
    """
    words = [w for w in name.split() if w]
    if not words:
        return notices
    if connection.vendor != "postgresql":
        return _filter_by_name_fallback(notices, words)
    full_name = Lower(Unaccent(Concat(F("forenames"), Value(" "), F("family_name"))))
    notices = notices.annotate(search_name=full_name)
    scores = []
    for index, word in enumerate(words):
        alias = f"name_score_{index}"
        query = Lower(Unaccent(Value(word)))
        # The stubs type the first argument as str; Django takes any expression.
        similarity = TrigramWordSimilarity(query, "search_name")  # type: ignore[arg-type]
        notices = notices.annotate(**{alias: similarity}).filter(
            **{f"{alias}__gte": NAME_SIMILARITY}
        )
        scores.append(F(alias))
    whole = TrigramSimilarity(
        "search_name",
        Lower(Unaccent(Value(" ".join(words)))),  # type: ignore[arg-type]  # stubs: str only
    )
    notices = notices.annotate(name_score=Greatest(whole, *scores) if len(scores) else whole)
    return notices.order_by("-name_score", "-id")


def search_notices(
    notices: QuerySet[Notice],
    *,
    name: str = "",
    date_of_birth: date | None = None,
    nationality: str = "",
    notice_type: str = "",
    status: str = "",
) -> QuerySet[Notice]:
    """Narrow an already permission-filtered queryset by the search criteria."""
    if date_of_birth:
        notices = notices.filter(date_of_birth=date_of_birth)
    if nationality:
        code = nationality.strip().upper()
        if connection.vendor == "postgresql":
            notices = notices.filter(nationalities__contains=[code])
        else:
            notices = notices.filter(nationalities__icontains=f'"{code}"')
    if notice_type:
        notices = notices.filter(notice_type=notice_type)
    if status:
        notices = notices.filter(status=status)
    if name:
        notices = filter_by_name(notices, name)
    return notices


def public_notices(*, now: datetime | None = None) -> QuerySet[Notice]:
    """Extracts anyone may see: published, consented, of a public type, not past expiry."""
    now = now or timezone.now()
    return (
        Notice.objects.filter(
            status=Notice.Status.PUBLISHED,
            public_extract_consent=True,
            notice_type__in=list(PUBLIC_TYPES),
            recipient_jurisdictions__isnull=True,
        )
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("requesting_agency__country")
        .order_by("-published_at", "-id")
    )


def notice_history(*, notice: Notice) -> QuerySet[AuditEvent]:
    """The audit events about this notice, oldest first."""
    return (
        AuditEvent.objects.filter(object_type=notice._meta.label_lower, object_id=str(notice.pk))
        .select_related("actor")
        .order_by("id")
    )


def recipient_agency_count(*, notice: Notice) -> int:
    """How many active agencies the notice reaches now (through their own, their country's or
    their country's regimes' groups)."""
    groups = [g.pk for g in recipient_groups(notice)]
    if not groups:
        return 0
    return (
        Agency.objects.filter(active=True)
        .filter(
            Q(group_id__in=groups)
            | Q(country__group_id__in=groups)
            | Q(country__regimes__group_id__in=groups)
        )
        .exclude(pk=notice.requesting_agency_id)
        .distinct()
        .count()
    )


def notice_end_effects(*, notice: Notice, verb: str) -> list[str]:
    """The sentences of a cancellation's or withdrawal's confirmation page."""
    count = recipient_agency_count(notice=notice)
    effects = [
        ngettext(
            "%(count)d agency that receives this notice stops seeing it.",
            "%(count)d agencies that receive this notice stop seeing it.",
            count,
        )
        % {"count": count},
    ]
    if notice.public_extract_consent and notice.status == Notice.Status.PUBLISHED:
        effects.append(_("Its public extract is taken off the public list."))
    effects.append(
        _("A %(verb)s notice cannot be brought back; a new request goes through review again.")
        % {"verb": verb}
    )
    return effects
