"""The delivery worker, run in-process against real HTTP servers on loopback."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import PartnerEndpoint
from sharing import delivery, services, ssrf, webhooks
from sharing.models import Delivery, DeliveryAttempt
from sharing.tasks import deliver
from tests.sharing.conftest import add


def _share_to(world, url, *values):
    endpoint, secret = services.endpoint_create(
        actor=world.partner.admin, agency=world.partner.agency, name="ep", url=url
    )
    inds = add(world.owner, *values)
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=inds,
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    return endpoint, secret, inds, Delivery.objects.get(endpoint=endpoint)


def test_a_delivery_posts_a_signed_stix_bundle_and_is_marked_delivered(
    world, eu_agreement, partner_endpoint, receiver
):
    inds = add(world.owner, ("ipv4", "192.0.2.50"), ("sha256", "a" * 64))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=inds,
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    d = Delivery.objects.get(endpoint=partner_endpoint)
    assert delivery.deliver(d.pk) == Delivery.Status.DELIVERED
    d.refresh_from_db()
    assert d.status == "delivered" and d.attempts == 1 and d.delivered_at
    assert sorted(receiver.objects()) == sorted((i.stix_id, 0) for i in inds)
    body = json.loads(receiver.rows("SELECT body FROM objects LIMIT 1")[0][0])
    assert body["spec_version"] == "2.1" and body["pattern"].startswith("[")
    assert d.message_id in receiver.out.getvalue()
    attempt = DeliveryAttempt.objects.get(delivery=d)
    assert attempt.status_code == 200 and attempt.error == ""
    # a delivered delivery is never sent again
    assert delivery.deliver(d.pk) is None
    assert receiver.rows("SELECT count(*) FROM requests")[0][0] == 1


def test_the_signature_follows_standard_webhooks_and_the_id_is_stable_across_retries(
    world, eu_agreement, scripted
):
    scripted.script.extend([(500, {}), (200, {})])
    endpoint, secret, _, d = _share_to(world, scripted.url, ("ipv4", "192.0.2.51"))
    assert delivery.deliver(d.pk) == Delivery.Status.FAILING
    Delivery.objects.filter(pk=d.pk).update(next_attempt_at=timezone.now())
    assert delivery.deliver(d.pk) == Delivery.Status.DELIVERED
    first, second = scripted.seen
    assert first["headers"]["webhook-id"] == second["headers"]["webhook-id"] == d.message_id
    assert first["body"] == second["body"]
    for request in scripted.seen:
        assert webhooks.verify(secret, request["headers"], request["body"]) == d.message_id
    assert secret.startswith("whsec_")
    assert [a.status_code for a in DeliveryAttempt.objects.filter(delivery=d)] == [500, 200]


def test_failures_back_off_with_jitter_and_honour_retry_after(
    world, eu_agreement, scripted, settings
):
    settings.SHARING_RETRY_SCHEDULE = [10, 100]
    scripted.script.extend([(503, {}), (429, {"Retry-After": "500"})])
    _, _, _, d = _share_to(world, scripted.url, ("ipv4", "192.0.2.52"))
    before = timezone.now()
    delivery.deliver(d.pk)
    d.refresh_from_db()
    assert timedelta(seconds=8.9) <= d.next_attempt_at - before <= timedelta(seconds=11.1)
    assert d.last_status_code == 503 and "HTTP 503" in d.last_error
    Delivery.objects.filter(pk=d.pk).update(next_attempt_at=timezone.now())
    before = timezone.now()
    delivery.deliver(d.pk)
    d.refresh_from_db()
    assert d.next_attempt_at - before >= timedelta(seconds=499)


def test_a_delivery_is_dead_after_the_maximum_number_of_attempts(world, eu_agreement, scripted):
    scripted.script.extend([(500, {})] * 3)
    _, _, _, d = _share_to(world, scripted.url, ("ipv4", "192.0.2.53"))
    for _ in range(3):
        Delivery.objects.filter(pk=d.pk).update(next_attempt_at=timezone.now())
        delivery.deliver(d.pk)
    d.refresh_from_db()
    assert d.status == "dead" and d.attempts == 3
    assert DeliveryAttempt.objects.filter(delivery=d).count() == 3


def test_410_gone_disables_the_endpoint(world, eu_agreement, scripted):
    scripted.script.append((410, {}))
    endpoint, _, _, d = _share_to(world, scripted.url, ("ipv4", "192.0.2.54"))
    assert delivery.deliver(d.pk) == Delivery.Status.DEAD
    endpoint.refresh_from_db()
    assert not endpoint.active and "410" in endpoint.disabled_reason
    assert endpoint.gone_at is not None


def test_a_redirect_is_not_a_delivery(world, eu_agreement, scripted):
    scripted.script.append((302, {"Location": "http://169.254.169.254/"}))
    _, _, _, d = _share_to(world, scripted.url, ("ipv4", "192.0.2.55"))
    assert delivery.deliver(d.pk) == Delivery.Status.FAILING
    assert len(scripted.seen) == 1


def test_a_connection_error_is_recorded_as_an_attempt(world, eu_agreement):
    _, _, _, d = _share_to(world, "http://127.0.0.1:9/", ("ipv4", "192.0.2.56"))
    assert delivery.deliver(d.pk) == Delivery.Status.FAILING
    attempt = DeliveryAttempt.objects.get(delivery=d)
    assert attempt.status_code is None and "ConnectionError" in attempt.error


def test_a_claimed_delivery_is_not_sent_by_a_second_worker_until_its_lease_expires(
    world, eu_agreement, partner_endpoint, receiver
):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.57"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    d = Delivery.objects.get(endpoint=partner_endpoint)
    assert delivery.claim([d.pk]) != []  # a worker took it and then died
    assert delivery.deliver(d.pk) is None
    assert delivery.due_for_sweep() == []
    Delivery.objects.filter(pk=d.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    assert delivery.due_for_sweep() == [d.pk]
    assert delivery.deliver(d.pk) == Delivery.Status.DELIVERED
    errors = list(DeliveryAttempt.objects.filter(delivery=d).values_list("error", flat=True))
    assert "Worker lost" in errors[0]


def test_the_sweeper_finds_deliveries_whose_message_was_lost(world, eu_agreement, partner_endpoint):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.58"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    d = Delivery.objects.get()
    assert delivery.due_for_sweep() == []
    Delivery.objects.filter(pk=d.pk).update(next_attempt_at=timezone.now() - timedelta(hours=1))
    assert delivery.due_for_sweep() == [d.pk]
    PartnerEndpoint.objects.update(active=False)
    assert delivery.due_for_sweep() == []


def test_revocation_sends_a_tombstone_to_every_endpoint_that_received_it(
    world, eu_agreement, partner_endpoint, receiver
):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.59"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    delivery.deliver(Delivery.objects.get().pk)
    services.indicator_revoke(actor=world.owner.investigator, indicator=ind)
    tomb = Delivery.objects.exclude(status="delivered").get()
    assert delivery.deliver(tomb.pk) == "delivered"
    assert receiver.objects() == [(ind.stix_id, 0), (ind.stix_id, 1)]


def test_withdrawal_tombstones_only_endpoints_that_lose_access(
    world, eu_agreement, partner_endpoint, receiver
):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.60"))
    first = services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    delivery.deliver(Delivery.objects.get().pk)
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=services.ShareSpec(jurisdictions=[world.partner.agency.country]),
    )
    services.share_withdraw(actor=world.owner.investigator, share=first)
    assert Delivery.objects.count() == 1  # still entitled through the second share
    second = world.owner.agency.shares_made.get(withdrawn_at__isnull=True)
    services.share_withdraw(actor=world.owner.investigator, share=second)
    tomb = Delivery.objects.get(status="pending")
    delivery.deliver(tomb.pk)
    assert receiver.objects()[-1] == (ind.stix_id, 1)


def test_retry_now_revives_dead_deliveries(world, eu_agreement, scripted):
    scripted.script.extend([(500, {})] * 3)
    endpoint, _, _, d = _share_to(world, scripted.url, ("ipv4", "192.0.2.61"))
    for _ in range(3):
        Delivery.objects.filter(pk=d.pk).update(next_attempt_at=timezone.now())
        delivery.deliver(d.pk)
    assert services.endpoint_retry_now(actor=world.partner.admin, endpoint=endpoint) == 1
    assert delivery.deliver(d.pk) == "delivered"


def test_the_ssrf_guard_refuses_private_and_metadata_hosts(world, settings):
    from django.core.exceptions import ValidationError

    settings.SHARING_ENDPOINT_ALLOWED_NETWORKS = []
    for url in (
        "http://127.0.0.1/",
        "http://10.1.2.3/",
        "http://169.254.169.254/latest",
        "http://[::1]/",
        "http://192.168.1.1/",
        "ftp://example.org/",
    ):
        expected = ssrf.NOT_HTTP if url.startswith("ftp:") else ssrf.PUBLIC_ONLY
        with pytest.raises(ValidationError, match=re.escape(expected)) as info:
            services.endpoint_create(
                actor=world.partner.admin, agency=world.partner.agency, name="x", url=url
            )
        assert "url" in info.value.message_dict


def test_beat_runs_the_sweeper_and_the_celery_settings_survive_a_killed_worker(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sharing-sweep-deliveries"]
    assert entry["task"] == "sharing.tasks.sweep_deliveries"
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_WORKER_PREFETCH_MULTIPLIER == 1
    assert deliver.acks_late and deliver.reject_on_worker_lost
