"""The delivery worker: claim an outbox row, POST its signed STIX bundle (or signed checkpoint),
record the attempt.

State machine per ``Delivery``: pending/failing --claim--> sending --2xx--> delivered;
--error--> failing (next attempt after backoff+jitter, Retry-After honoured) or dead after
``SHARING_MAX_ATTEMPTS``; --410--> dead and the endpoint disabled. A claim is a row lock
(``SELECT … FOR UPDATE SKIP LOCKED``) plus a lease, so two workers never send the same
delivery at once and a delivered one is never sent again; a worker killed mid-send leaves
a ``sending`` row whose lease expires, and the sweeper (or the redelivered message) takes
it back. The webhook id never changes, so the receiver drops the duplicate.
"""

from __future__ import annotations

import base64
import email.utils
import json
import logging
import random
import time
import uuid
from datetime import timedelta
from typing import Any

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from agencies.models import PartnerEndpoint
from audit.models import SignedCheckpoint
from sharing import ssrf, stix, webhooks
from sharing.models import Delivery, DeliveryAttempt, DeliveryItem, Indicator
from tools.verify_log import parse_checkpoint, parse_note

logger = logging.getLogger(__name__)

_sessions: dict[int, requests.Session] = {}
_object_cache: dict[tuple[int, Any, bool], str] = {}
_CACHE_LIMIT = 50_000
USER_AGENT = "CyberCoop-Webhooks/1.0"


def _session(endpoint_id: int) -> requests.Session:
    """One HTTP session (connection pool) per endpoint, per worker process."""
    session = _sessions.get(endpoint_id)
    if session is None:
        session = _sessions[endpoint_id] = requests.Session()
        session.headers["User-Agent"] = USER_AGENT
    return session


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


def build_payload(delivery: Delivery) -> str:
    """The message of a delivery: its checkpoint, or the STIX bundle of its indicators (or
    their tombstones).

    Serialised objects are cached per (indicator, version, tombstone) in the worker
    process, so fanning one share out to many endpoints serialises each indicator once.
    """
    if delivery.checkpoint_id is not None:
        return checkpoint_payload(SignedCheckpoint.objects.get(pk=delivery.checkpoint_id))
    rows = list(
        DeliveryItem.objects.filter(delivery=delivery)
        .order_by("pk")
        .values_list("indicator_id", "tombstone", "indicator__modified", "indicator__revoked")
    )
    keys = [(pk, modified, tombstone or revoked) for pk, tombstone, modified, revoked in rows]
    missing = {key[0] for key in keys if key not in _object_cache}
    if missing:
        if len(_object_cache) > _CACHE_LIMIT:
            _object_cache.clear()
        by_pk = Indicator.objects.select_related("owner").in_bulk(missing)
        for (pk, tombstone, _, _), key in zip(rows, keys, strict=True):
            if key not in _object_cache and pk in by_pk:
                obj = stix.indicator_json(by_pk[pk], revoked=True if tombstone else None)
                _object_cache[key] = json.dumps(obj)
    objects = ",".join(_object_cache[key] for key in keys)
    head = json.dumps(stix.bundle([], seed=delivery.message_id))[:-2]  # strip "]}"
    return head + objects + "]}"


def claim(delivery_id: int) -> Delivery | None:
    """Take the delivery for one attempt, or None if it is not ours to send now."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or not delivery.endpoint.active:
            return None
        if delivery.status == Delivery.Status.SENDING:
            if delivery.lease_until and delivery.lease_until > now:
                return None
            DeliveryAttempt.objects.create(
                delivery=delivery,
                number=delivery.attempts,
                started_at=delivery.lease_until or now,
                error="Worker lost during the attempt (lease expired); sending again.",
            )
        elif delivery.status not in (
            Delivery.Status.PENDING,
            Delivery.Status.FAILING,
        ) or delivery.next_attempt_at > now + timedelta(seconds=1):
            return None
        if not delivery.payload:
            delivery.payload = build_payload(delivery)
        delivery.status = Delivery.Status.SENDING
        delivery.claim = uuid.uuid4()
        delivery.attempts += 1
        delivery.lease_until = now + timedelta(seconds=settings.SHARING_DELIVERY_LEASE)
        delivery.save(update_fields=["payload", "status", "claim", "attempts", "lease_until"])
    return delivery


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


def send(delivery: Delivery) -> tuple[int | None, str, float | None]:
    """POST the delivery once: (status code or None, error text, Retry-After seconds)."""
    endpoint: PartnerEndpoint = delivery.endpoint
    body = delivery.payload.encode()
    headers = webhooks.sign_headers(endpoint.secret, delivery.message_id, body)
    headers["Content-Type"] = "application/json"
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
        return None, f"Refused by the SSRF guard: {exc}", None
    except requests.RequestException as exc:
        return None, f"{type(exc).__name__}: {str(exc)[:300]}", None
    if 200 <= response.status_code < 300:
        return response.status_code, "", None
    snippet = response.text[:300] if response.text else ""
    return (
        response.status_code,
        f"HTTP {response.status_code} {response.reason or ''}: {snippet}".strip(),
        retry_after_seconds(response.headers.get("Retry-After")),
    )


def finish(
    delivery: Delivery,
    *,
    status_code: int | None,
    error: str,
    retry_after: float | None,
    started: Any,
    duration_ms: int,
) -> tuple[str, float | None]:
    """Record the attempt and move the state machine; returns (new status, retry delay).

    The delay is None unless this worker still held the claim and the delivery is failing.
    """
    now = timezone.now()
    delay = None
    with transaction.atomic():
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=started,
            duration_ms=duration_ms,
            status_code=status_code,
            error=error,
        )
        changes: dict[str, Any] = {
            "last_status_code": status_code,
            "last_error": error,
            "lease_until": None,
            "claim": None,
        }
        if status_code is not None and 200 <= status_code < 300:
            status = Delivery.Status.DELIVERED
            changes.update(delivered_at=now, last_error="")
        elif status_code == 410:
            status = Delivery.Status.DEAD
            PartnerEndpoint.objects.filter(pk=delivery.endpoint_id).update(
                active=False,
                disabled_reason=f"Disabled at {now:%Y-%m-%d %H:%M} UTC: it answered 410 Gone.",
            )
        elif delivery.attempts >= settings.SHARING_MAX_ATTEMPTS:
            status = Delivery.Status.DEAD
        else:
            status = Delivery.Status.FAILING
            delay = backoff(delivery.attempts, retry_after)
            changes["next_attempt_at"] = now + timedelta(seconds=delay)
        changes["status"] = status
        # Only the holder of the claim may settle the row (a stale worker changes nothing).
        updated = Delivery.objects.filter(
            pk=delivery.pk, claim=delivery.claim, status=Delivery.Status.SENDING
        ).update(**changes)
        if not updated:
            delay = None  # a stale worker schedules nothing either
    return status, delay


def attempt(delivery_id: int) -> tuple[str, float | None] | None:
    """One attempt at one delivery (the body of the Celery task): its new status and the
    seconds until the next attempt (the task schedules it), or None if it is not ours now."""
    delivery = claim(delivery_id)
    if delivery is None:
        return None
    started = timezone.now()
    clock = time.monotonic()
    status_code, error, retry_after = send(delivery)
    duration_ms = int((time.monotonic() - clock) * 1000)
    status, delay = finish(
        delivery,
        status_code=status_code,
        error=error,
        retry_after=retry_after,
        started=started,
        duration_ms=duration_ms,
    )
    logger.info(
        "delivery %s to endpoint %s attempt %s: %s",
        delivery.message_id,
        delivery.endpoint_id,
        delivery.attempts,
        status,
    )
    return status, delay


def deliver(delivery_id: int) -> str | None:
    """One attempt, its new status; no retry is scheduled (the sweeper or a test drives it)."""
    outcome = attempt(delivery_id)
    return outcome[0] if outcome else None


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
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:limit]
    )
