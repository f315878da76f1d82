"""The delivery worker: claim outbox rows several at a time, POST each its signed STIX bundle
(or signed checkpoint, or withdrawal of objects without versions), record the attempts.

State machine per ``Delivery``: pending/failing --claim--> sending --2xx--> delivered;
--error--> failing (next attempt after backoff+jitter, Retry-After honoured) or dead after
``SHARING_MAX_ATTEMPTS``; --410--> dead and the endpoint disabled. A claim is one
``UPDATE … RETURNING`` over rows locked with ``SELECT … FOR UPDATE SKIP LOCKED`` (in id order)
plus a lease, so two workers never send the same delivery at once and a delivered one is never
sent again; a worker killed mid-send leaves ``sending`` rows whose lease expires, and the
sweeper (or the redelivered message) takes them back. The message is not stored: it is rebuilt
from the delivery's frozen item list at each attempt, once for all the endpoints that get the
same items, and signed per endpoint. The webhook id never changes, so the receiver drops the
duplicate.
"""

from __future__ import annotations

import base64
import email.utils
import hashlib
import json
import logging
import random
import re
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agencies.models import Membership, PartnerEndpoint
from agencies.selectors import active_members
from audit.models import SignedCheckpoint
from common.charts import Series
from notifications.models import Notification
from notifications.services import notify
from sharing import ssrf, stix, webhooks
from sharing.models import Delivery, DeliveryAttempt, DeliveryItem, Indicator, StixObject
from tools.verify_log import parse_checkpoint, parse_note

logger = logging.getLogger(__name__)
StrOrPromise = str | Promise
LEASE_LOST = "Worker lost during the attempt (lease expired); sending again."

_sessions: dict[int, requests.Session] = {}
_senders: list[ThreadPoolExecutor] = []
USER_AGENT = "CyberCoop-Webhooks/1.0"


def _session(endpoint_id: int) -> requests.Session:
    """One HTTP session (connection pool) per endpoint, per worker process."""
    session = _sessions.get(endpoint_id)
    if session is None:
        session = _sessions[endpoint_id] = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
    return session


def _sender_pool() -> ThreadPoolExecutor:
    """The worker process's sending threads, started on first use (after the fork)."""
    if not _senders:
        _senders.append(ThreadPoolExecutor(max_workers=settings.SHARING_DELIVERIES_PER_TASK))
    return _senders[0]


def checkpoint_payload(checkpoint: SignedCheckpoint) -> str:
    """A signed checkpoint as a message: ``type`` tells it from a STIX bundle; ``note`` is the
    C2SP signed note, what a partner verifies against the log's verifier key."""
    parsed = parse_checkpoint(parse_note(checkpoint.note).text)
    return json.dumps(
        {
            "type": "checkpoint",
            "origin": parsed.origin,
            "tree_size": checkpoint.tree_size,
            "root_hash": base64.b64encode(bytes(checkpoint.root_hash)).decode("ascii"),
            "signed_at": checkpoint.signed_at.isoformat(),
            "note": checkpoint.note,
        }
    )


# (indicator id, STIX object id, tombstone): one item of a message, exactly one id set.
Entry = tuple[int | None, int | None, bool]
ObjectSerializer = Callable[[StixObject], dict[str, Any]]
_object_serializers: list[ObjectSerializer] = []


def register_object_serializer(serializer: ObjectSerializer) -> None:
    """Set how a STIX object is written into a message: as TAXII serves its newest version
    (interop registers its serialiser at ready(); sharing may not import interop)."""
    _object_serializers[:] = [serializer]


def object_json(stix_object: StixObject, *, tombstone: bool = False) -> dict[str, Any]:
    """A STIX object as a message carries it: its newest version as TAXII serves it; as a
    tombstone (of an object STIX versions, ``stix.has_versions``), that version revoked (a
    newer ``modified``, unless revoked already)."""
    if not _object_serializers:
        raise ImproperlyConfigured(
            "No STIX object serialiser is registered (is interop installed?)"
        )
    obj = _object_serializers[0](stix_object)
    if tombstone and obj.get("revoked") is not True:
        now = max(timezone.now(), stix_object.modified + timedelta(milliseconds=1))
        obj["revoked"], obj["modified"] = True, stix.modified_stamp(now)
    return obj


def withdrawal_payload(ids: list[str]) -> str:
    """The withdrawal of objects STIX 2.1 gives no versions (cyber observables, marking
    definitions): no STIX object can take one back (they have no ``revoked``), so the message
    carries their ids only; ``type`` tells it from a STIX bundle or a checkpoint."""
    return json.dumps({"type": "withdrawal", "ids": ids})


def _message(
    items: tuple[Entry, ...], by_pk: dict[int, Indicator], objects_by_pk: dict[int, StixObject]
) -> str:
    """The message of an item list: the STIX bundle of its items, in order, or the withdrawal
    of objects without versions, whose tombstones ``outbox.tombstones`` writes in deliveries
    of their own (a bundle never carries one: it would not be STIX). A bundle's id is seeded
    by the items and their versions, not by a delivery, so every endpoint that gets them gets
    one body, and other objects or versions get another id."""
    versions: list[tuple[Any, ...]] = []
    objects: list[dict[str, Any]] = []
    withdrawn: list[str] = []
    for indicator_id, object_id, tombstone in items:
        if indicator_id is not None:
            indicator = by_pk.get(indicator_id)
            if indicator is None:  # deleted meanwhile
                continue
            versions.append((indicator.pk, tombstone, indicator.modified.isoformat()))
            obj = stix.indicator_json(indicator, revoked=True if tombstone else None)
            objects.append(stix.with_stand_ins(obj, indicator.type))
        elif object_id is not None and object_id in objects_by_pk:
            stix_object = objects_by_pk[object_id]
            if tombstone and not stix.has_versions(stix_object.body):
                withdrawn.append(stix_object.stix_id)
                continue
            versions.append(("object", stix_object.pk, tombstone, stix_object.modified.isoformat()))
            objects.append(object_json(stix_object, tombstone=tombstone))
    if withdrawn and not objects:
        return withdrawal_payload(withdrawn)
    seed = hashlib.sha256(repr(versions).encode()).hexdigest()
    return json.dumps(stix.bundle(objects, seed=seed))


def build_payloads(deliveries: Sequence[Delivery]) -> dict[int, bytes]:
    """The message of each delivery, by id: its checkpoint, or the STIX bundle of its items
    (indicators and STIX objects, or their tombstones), or a withdrawal. Deliveries with the
    same items or the same checkpoint share one message, built once; only the signature
    differs per endpoint."""
    items: dict[int, list[Entry]] = defaultdict(list)
    rows = DeliveryItem.objects.filter(
        delivery_id__in=[d.pk for d in deliveries if d.checkpoint_id is None]
    ).order_by("delivery_id", "pk")
    for delivery_id, pk, object_id, tombstone in rows.values_list(
        "delivery_id", "indicator_id", "stix_object_id", "tombstone"
    ):
        items[delivery_id].append((pk, object_id, tombstone))
    keys = {d.pk: tuple(items[d.pk]) for d in deliveries if d.checkpoint_id is None}
    entries = [entry for key in keys.values() for entry in key]
    by_pk = Indicator.objects.select_related("owner").in_bulk(
        {pk for pk, _, _ in entries if pk is not None}
    )
    object_ids = {pk for _, pk, _ in entries if pk is not None}
    objects_by_pk = (
        StixObject.objects.select_related("owner").in_bulk(object_ids) if object_ids else {}
    )
    checkpoints = SignedCheckpoint.objects.in_bulk(
        {d.checkpoint_id for d in deliveries if d.checkpoint_id is not None}
    )
    bundles = {key: _message(key, by_pk, objects_by_pk).encode() for key in set(keys.values())}
    messages = {pk: checkpoint_payload(c).encode() for pk, c in checkpoints.items()}
    return {
        d.pk: bundles[keys[d.pk]] if d.checkpoint_id is None else messages[d.checkpoint_id]
        for d in deliveries
    }


def _take(delivery_ids: list[int], claim: uuid.UUID) -> list[tuple[int, str, datetime | None]]:
    """Mark the due deliveries among ``delivery_ids`` as ``sending`` under ``claim``; their ids
    with the status and lease they had. PostgreSQL does it in one statement, skipping rows
    another worker holds locked; elsewhere (SQLite, the embedded demo: one writer at a time)
    a select and an update in the caller's transaction."""
    now = timezone.now()
    lease = now + timedelta(seconds=settings.SHARING_DELIVERY_LEASE)
    due_by = now + timedelta(seconds=1)
    retry = [Delivery.Status.PENDING, Delivery.Status.FAILING]
    if connection.vendor == "postgresql":
        sql = f"""
            WITH due AS (
                SELECT d.id, d.status, d.lease_until
                FROM {Delivery._meta.db_table} d
                JOIN {PartnerEndpoint._meta.db_table} e ON e.id = d.endpoint_id
                WHERE d.id = ANY(%s) AND e.active AND (
                    (d.status = ANY(%s) AND d.next_attempt_at <= %s)
                    OR (d.status = %s AND (d.lease_until IS NULL OR d.lease_until <= %s))
                )
                ORDER BY d.id
                FOR UPDATE OF d SKIP LOCKED
            )
            UPDATE {Delivery._meta.db_table} d
            SET status = %s, claim = %s, attempts = d.attempts + 1, lease_until = %s
            FROM due WHERE d.id = due.id
            RETURNING d.id, due.status, due.lease_until
        """
        sending = Delivery.Status.SENDING
        params: list[Any] = [delivery_ids, retry, due_by, sending, now, sending, claim, lease]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return sorted(cursor.fetchall())
    due = list(
        Delivery.objects.filter(pk__in=delivery_ids, endpoint__active=True)
        .filter(
            Q(status__in=retry, next_attempt_at__lte=due_by)
            | Q(status=Delivery.Status.SENDING)
            & (Q(lease_until__isnull=True) | Q(lease_until__lte=now))
        )
        .order_by("pk")
        .values_list("pk", "status", "lease_until")
    )
    Delivery.objects.filter(pk__in=[pk for pk, _, _ in due]).update(
        status=Delivery.Status.SENDING, claim=claim, attempts=F("attempts") + 1, lease_until=lease
    )
    return due


def claim(delivery_ids: list[int]) -> list[Delivery]:
    """Take the due deliveries among ``delivery_ids`` for one attempt each, under one claim and
    one lease; the others are not ours to send now. A delivery taken back from a worker whose
    lease expired gets that lost attempt on record."""
    if not delivery_ids:
        return []
    token = uuid.uuid4()
    with transaction.atomic():
        taken = _take(delivery_ids, token)
        if not taken:
            return []
        deliveries = list(
            Delivery.objects.filter(pk__in=[pk for pk, _, _ in taken], claim=token)
            .select_related("endpoint")
            .order_by("pk")
        )
        was = {pk: (status, lease) for pk, status, lease in taken}
        DeliveryAttempt.objects.bulk_create(
            DeliveryAttempt(
                delivery=d,
                number=d.attempts - 1,
                started_at=was[d.pk][1] or timezone.now(),
                error=LEASE_LOST,
            )
            for d in deliveries
            if was[d.pk][0] == Delivery.Status.SENDING
        )
    return deliveries


def retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, (when - timezone.now()).total_seconds())


def backoff(attempts: int, retry_after: float | None = None) -> float:
    """Seconds before the next attempt after ``attempts`` failed ones."""
    schedule = settings.SHARING_RETRY_SCHEDULE or [60]
    base = float(schedule[min(attempts - 1, len(schedule) - 1)])
    jitter = float(settings.SHARING_RETRY_JITTER)
    delay = base * (1 + random.uniform(-jitter, jitter))
    if retry_after is not None:
        delay = max(delay, min(retry_after, float(settings.SHARING_RETRY_AFTER_MAX)))
    return max(0.0, delay)


@dataclass
class Outcome:
    """One attempt at one delivery, as sent; ``finish`` records them."""

    delivery: Delivery
    started: datetime
    duration_ms: int
    status_code: int | None
    error: str
    retry_after: float | None


def send(delivery: Delivery, body: bytes) -> Outcome:
    """POST the message once, signed for the delivery's endpoint."""
    endpoint: PartnerEndpoint = delivery.endpoint
    headers = webhooks.sign_headers(endpoint.secret, delivery.message_id, body)
    headers["Content-Type"] = "application/json"
    started, clock = timezone.now(), time.monotonic()
    status_code: int | None = None
    retry_after = None
    try:
        ssrf.check_url(endpoint.url)
        response = _session(endpoint.pk).post(
            endpoint.url,
            data=body,
            headers=headers,
            timeout=settings.SHARING_DELIVERY_TIMEOUT,
            allow_redirects=False,
        )
    except ssrf.UnsafeURL as exc:
        error = f"Refused by the SSRF guard: {exc}"
    except requests.RequestException as exc:
        error = f"{type(exc).__name__}: {str(exc)[:300]}"
    else:
        status_code, error = response.status_code, ""
        if not 200 <= status_code < 300:
            snippet = response.text[:300] if response.text else ""
            error = f"HTTP {status_code} {response.reason or ''}: {snippet}".strip()
            retry_after = retry_after_seconds(response.headers.get("Retry-After"))
    duration_ms = int((time.monotonic() - clock) * 1000)
    return Outcome(delivery, started, duration_ms, status_code, error, retry_after)


def send_all(deliveries: Sequence[Delivery], bodies: dict[int, bytes]) -> list[Outcome]:
    """Send a claim's messages: the endpoints in parallel, each its deliveries in order on its
    own session, so a slow endpoint delays only its own. While they run the claim's lease is
    renewed every third of it, so a live worker's round is never taken back however long it
    takes; a dead worker's lease expires as before."""
    chains: dict[int, list[Delivery]] = defaultdict(list)
    for d in deliveries:
        chains[d.endpoint_id].append(d)
    lease = settings.SHARING_DELIVERY_LEASE
    futures = [
        _sender_pool().submit(lambda chain: [send(d, bodies[d.pk]) for d in chain], chain)
        for chain in chains.values()
    ]
    while wait(futures, timeout=lease / 3).not_done:
        Delivery.objects.filter(
            pk__in=[d.pk for d in deliveries],
            claim=deliveries[0].claim,
            status=Delivery.Status.SENDING,
        ).update(lease_until=timezone.now() + timedelta(seconds=lease))
    return [outcome for future in futures for outcome in future.result()]


def finish(outcomes: Sequence[Outcome]) -> list[tuple[int, str, float | None]]:
    """Record the attempts of one claim and move each delivery's state machine, in one
    transaction: the attempts in one insert, the deliveries settled in one update per outcome
    (delivered ones together). Returns (delivery id, new status, retry delay) of the
    deliveries the claim still held; the delay is None unless the delivery is failing. A
    stale worker's attempts are recorded, but it changes and schedules nothing."""
    now = timezone.now()
    settled: dict[tuple[Any, ...], list[int]] = defaultdict(list)
    results: list[tuple[int, str, float | None]] = []
    gone = set()
    claim = outcomes[0].delivery.claim  # one claim per round
    with transaction.atomic():
        DeliveryAttempt.objects.bulk_create(
            DeliveryAttempt(
                delivery=o.delivery,
                number=o.delivery.attempts,
                started_at=o.started,
                duration_ms=o.duration_ms,
                status_code=o.status_code,
                error=o.error,
            )
            for o in outcomes
        )
        held = set(
            Delivery.objects.select_for_update()
            .filter(
                pk__in=[o.delivery.pk for o in outcomes],
                claim=claim,
                status=Delivery.Status.SENDING,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for o in outcomes:
            delay = None
            next_attempt_at = None
            if o.status_code is not None and 200 <= o.status_code < 300:
                status = Delivery.Status.DELIVERED
            elif o.status_code == 410:
                status = Delivery.Status.DEAD
                gone.add(o.delivery.endpoint_id)
            elif o.delivery.attempts >= settings.SHARING_MAX_ATTEMPTS:
                status = Delivery.Status.DEAD
            else:
                status = Delivery.Status.FAILING
                delay = backoff(o.delivery.attempts, o.retry_after)
                next_attempt_at = now + timedelta(seconds=delay)
            if o.delivery.pk in held:
                settled[status, o.status_code, o.error, next_attempt_at].append(o.delivery.pk)
                results.append((o.delivery.pk, status, delay))
        if gone:
            PartnerEndpoint.objects.filter(pk__in=gone).update(
                active=False,
                disabled_reason=f"Disabled at {now:%Y-%m-%d %H:%M} UTC: it answered 410 Gone.",
                gone_at=now,
            )
        for (status, status_code, error, next_attempt_at), ids in settled.items():
            changes: dict[str, Any] = {
                "status": status,
                "last_status_code": status_code,
                "last_error": error,
                "lease_until": None,
                "claim": None,
            }
            if status == Delivery.Status.DELIVERED:
                changes["delivered_at"] = now
            if next_attempt_at is not None:
                changes["next_attempt_at"] = next_attempt_at
            # Only the holder of the claim may settle the rows.
            Delivery.objects.filter(pk__in=ids, claim=claim, status=Delivery.Status.SENDING).update(
                **changes
            )
        tell_admins(outcomes, {pk: status for pk, status, _ in results})
    return results


def tell_admins(outcomes: Sequence[Outcome], settled: dict[int, str]) -> None:
    """The admins of an endpoint's agency hear when one of its deliveries is dead, or when
    one fails its first attempt (the endpoint starts failing): one notification per endpoint,
    a kind not repeated while they have one of it unread (an unread "failing" does not hold
    back a "dead"). Nothing when all goes well (no query)."""
    Kind = Notification.Kind
    news: dict[int, tuple[str, Outcome]] = {}
    for o in outcomes:
        status = settled.get(o.delivery.pk)
        if status == Delivery.Status.DEAD:
            news[o.delivery.endpoint_id] = (Kind.DELIVERY_DEAD, o)
        elif status == Delivery.Status.FAILING and o.delivery.attempts == 1:
            news.setdefault(o.delivery.endpoint_id, (Kind.DELIVERY_FAILING, o))
    for kind, o in news.values():
        endpoint = PartnerEndpoint.objects.select_related("agency").get(pk=o.delivery.endpoint_id)
        with translation.override(None):  # stored in English, translated when read
            error = error_in_words(o.error, o.status_code)
        notify(
            users=active_members(agency=endpoint.agency, roles={Membership.Role.AGENCY_ADMIN}),
            kind=kind,
            about=endpoint,
            link=reverse("sharing_dashboard", args=[endpoint.agency.code]),
            subject=endpoint.name,
            params={
                "endpoint": endpoint.name,
                "agency": endpoint.agency.code,
                "error_label": error,
            },
        )


def attempt(delivery_ids: list[int]) -> list[tuple[int, str, float | None]]:
    """One attempt at each due delivery among ``delivery_ids`` (the body of the Celery task):
    claim them in one round trip, build each distinct message once, POST it to each endpoint
    with that endpoint's signature, record them all in one transaction. Returns (delivery id,
    new status, seconds until the next attempt or None) for each delivery settled; those not
    ours now are left out."""
    deliveries = claim(delivery_ids)
    if not deliveries:
        return []
    outcomes = send_all(deliveries, build_payloads(deliveries))
    results = finish(outcomes)
    logger.info(
        "%d deliveries sent: %s",
        len(outcomes),
        dict(Counter(status for _, status, _ in results)),
    )
    return results


def deliver(delivery_id: int) -> str | None:
    """One attempt, its new status; no retry is scheduled (the sweeper or a test drives it)."""
    results = attempt([delivery_id])
    return results[0][1] if results else None


def due_for_sweep(limit: int = 5000) -> list[int]:
    """Deliveries a lost message or a killed worker left behind."""
    now = timezone.now()
    grace = timedelta(seconds=settings.SHARING_SWEEP_GRACE)
    return list(
        Delivery.objects.filter(endpoint__active=True)
        .filter(
            Q(
                status__in=[Delivery.Status.PENDING, Delivery.Status.FAILING],
                next_attempt_at__lt=now - grace,
            )
            | Q(status=Delivery.Status.SENDING, lease_until__lt=now)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- for the pages: the chart's series, errors in words ------------------------------------------

# Deliveries per day on the home dashboard and the deliveries page, stacked by current status.
DELIVERY_SERIES = (
    Series((Delivery.Status.DELIVERED,), _("Delivered"), "ok"),
    Series((Delivery.Status.FAILING,), _("Failing (will retry)"), "warn"),
    Series((Delivery.Status.DEAD,), _("Dead"), "bad"),
    Series((Delivery.Status.PENDING, Delivery.Status.SENDING), _("Waiting"), "muted"),
)

_HTTP_ERROR = re.compile(r"^HTTP (\d{3})\b")
# (words found in the raw error, the sentence); the first that matches wins.
_ERROR_WORDS: list[tuple[tuple[str, ...], StrOrPromise]] = [
    (("Refused by the SSRF guard", "cannot be resolved"), _("Partner host name not found")),
    (("Refused by the SSRF guard", "credentials"), _("Refused: the address holds credentials")),
    (("Refused by the SSRF guard", "http(s) URL"), _("Refused: not an http(s) address")),
    (("Refused by the SSRF guard",), _("Refused: private address")),
    (("Timeout",), _("Timed out")),
    (("timed out",), _("Timed out")),
    (("NameResolutionError",), _("Partner host name not found")),
    (("Name or service not known",), _("Partner host name not found")),
    (("Failed to resolve",), _("Partner host name not found")),
    (("Connection refused",), _("Connection refused by partner")),
    (("SSLError",), _("Secure connection (TLS) to partner failed")),
    (("Connection aborted",), _("Partner closed the connection")),
    (("Connection reset",), _("Partner closed the connection")),
    (("RemoteDisconnected",), _("Partner closed the connection")),
    ((LEASE_LOST,), _("Interrupted on our side; sending again")),
    (("ConnectionError",), _("Could not connect to partner")),
]


def error_in_words(error: str, status_code: int | None = None) -> str:
    """A delivery's raw error (as ``send`` records it) as a short sentence for people; the raw
    text stays available behind a disclosure."""
    if not error and status_code is None:
        return ""
    http = _HTTP_ERROR.match(error)
    code = int(http.group(1)) if http else status_code
    if code is not None and not 200 <= code < 300:
        if code == 410:
            return str(_("HTTP 410 from partner: the endpoint is gone"))
        return str(_("HTTP %(code)s from partner") % {"code": code})
    for needles, sentence in _ERROR_WORDS:
        if all(needle in error for needle in needles):
            return str(sentence)
    return str(_("Delivery failed"))
