"""What reaches the centre, and who: a JIT invitation to the invited agency's admins, an access
request to the holder's deciders and its outcome to the requester (once, never per holder),
failing deliveries to the endpoint agency's admins (once per endpoint while unread). Every
link opens for its recipient; the outsider gets nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from agencies import services as agency_services
from agencies.models import Membership
from cases import jits
from cases.models import JointInvestigationTeam
from notifications.models import Notification
from sharing import access_requests, delivery, services
from sharing.models import AccessRequestTarget, Delivery
from tests.cases.conftest import open_case
from tests.factories import make_member
from tests.sharing.conftest import add

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def received(user, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(user=user, kind=kind).order_by("pk"))


def everyone(world) -> list:
    return [
        getattr(side, role)
        for side in (world.owner, world.partner, world.outsider)
        for role in ("admin", "investigator", "analyst")
    ]


# --- JIT invitations ------------------------------------------------------------------------


@pytest.fixture
def invitation(world):
    case = open_case(world.owner)
    jit = jits.jit_create(
        actor=world.owner.investigator,
        case=case,
        name="JIT Tulip",
        legal_basis=JointInvestigationTeam.LegalBasis.EU_JIT,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
    )
    return jits.jit_invite(actor=world.owner.investigator, jit=jit, agency=world.partner.agency)


def test_a_jit_invitation_reaches_the_invited_agencys_admins_only(world, invitation, client_for):
    (note,) = received(world.partner.admin, Kind.JIT_INVITATION)
    assert note.sentence == (
        "DE-BKA invites NL-NHTCU to the joint investigation team “JIT Tulip” as party. "
        "An admin of NL-NHTCU answers."
    )
    others = [u for u in everyone(world) if u != world.partner.admin]
    assert not Notification.objects.filter(user__in=others).exists()
    page = client_for(world.partner.admin).get(note.link)
    assert page.status_code == 200 and "JIT Tulip" in page.content.decode()


def test_an_admin_who_steps_down_no_longer_reads_the_invitation(world, invitation, client_for):
    make_member(world.partner.agency, "partner_admin2", Membership.Role.AGENCY_ADMIN)
    html = client_for(world.partner.admin).get("/notifications/").content.decode()
    assert "JIT Tulip" in html and "1 unread notification<" in html
    membership = Membership.objects.get(user=world.partner.admin, agency=world.partner.agency)
    agency_services.membership_update(
        actor=None, membership=membership, role=Membership.Role.INVESTIGATOR
    )
    html = client_for(world.partner.admin).get("/notifications/").content.decode()
    assert "JIT Tulip" not in html
    assert "unread notification" not in html  # the badge counts only what may be read


# --- access requests ------------------------------------------------------------------------


@pytest.fixture
def asked(world, add_indicators):
    """The partner asks for the owner's and the outsider's indicators matching its own."""
    (theirs,) = add_indicators(world.partner, [{"type": "domain", "value": "c2.evil.example"}])
    add_indicators(world.owner, [{"type": "domain", "value": "C2.evil.example"}])
    add_indicators(world.outsider, [{"type": "domain", "value": "c2.EVIL.example"}])
    return access_requests.access_request_create(
        actor=world.partner.investigator,
        indicator=theirs,
        reason="Op TULIP",
        legal_basis="EU 2023/977",
        handling_code="H1",
    )


def test_an_access_request_reaches_each_holders_deciders(world, asked, client_for):
    for side in (world.owner, world.outsider):
        for user in (side.admin, side.investigator):
            (note,) = received(user, Kind.ACCESS_REQUEST)
            assert note.sentence == (
                f"NL-NHTCU asks {side.agency.code} to share its indicator c2.evil.example, "
                "which matches one of theirs."
            )
            assert client_for(user).get(note.link).status_code == 200
        assert received(side.analyst, Kind.ACCESS_REQUEST) == []
    partner = [world.partner.admin, world.partner.investigator, world.partner.analyst]
    assert not Notification.objects.filter(user__in=partner).exists()


def test_a_holder_reads_only_its_own_targets_notification(world, asked, client_for):
    (owners,) = received(world.owner.investigator, Kind.ACCESS_REQUEST)
    client = client_for(world.outsider.investigator)
    assert client.post(f"/notifications/{owners.pk}/read/").status_code == 404


def test_the_requester_hears_the_outcome_once_not_once_per_holder(world, asked, client_for):
    first, second = AccessRequestTarget.objects.filter(request=asked).order_by("pk")
    by_agency = {s.agency.pk: s for s in (world.owner, world.outsider)}
    access_requests.access_request_decline(
        actor=by_agency[first.holder_id].investigator, target=first, reason="Not now"
    )
    assert received(world.partner.investigator, Kind.ACCESS_DECISION) == []
    access_requests.access_request_decline(
        actor=by_agency[second.holder_id].investigator, target=second, reason="Not now"
    )
    (note,) = received(world.partner.investigator, Kind.ACCESS_DECISION)
    assert note.sentence == (
        f"Your access request #{asked.pk} about c2.evil.example was declined: Not now"
    )
    assert "DE-BKA" not in note.sentence and "IN-CBI" not in note.sentence
    assert client_for(world.partner.investigator).get(note.link).status_code == 200
    for user in everyone(world):
        if user != world.partner.investigator:
            assert received(user, Kind.ACCESS_DECISION) == []


def test_a_share_tells_the_requester_it_is_shared(world, asked, eu_agreement):
    target = AccessRequestTarget.objects.get(request=asked, holder=world.owner.agency)
    access_requests.access_request_grant(actor=world.owner.investigator, target=target)
    (note,) = received(world.partner.investigator, Kind.ACCESS_DECISION)
    assert note.sentence == (
        f"Your access request #{asked.pk} about c2.evil.example: the matching indicator is now "
        "shared with NL-NHTCU."
    )


# --- failing deliveries ---------------------------------------------------------------------


@pytest.fixture
def endpoint(world, eu_agreement, settings):
    settings.SHARING_ENDPOINT_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.SHARING_MAX_ATTEMPTS = 2
    created, _secret = services.endpoint_create(
        actor=world.partner.admin,
        agency=world.partner.agency,
        name="NL SOC",
        url="http://127.0.0.1:9/hook",
    )
    return created


def fail_once(world, endpoint, value: str, status_code: int = 500) -> Delivery:
    """Share one indicator with the partner; its delivery's next attempt answers
    ``status_code`` (recorded through the worker's own ``finish``)."""
    inds = add(world.owner, ("ipv4", value))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=inds,
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    row = Delivery.objects.get(endpoint=endpoint, items__indicator=inds[0])
    return attempt(row, status_code)


def attempt(row: Delivery, status_code: int = 500) -> Delivery:
    """One attempt at ``row`` that the partner answers with ``status_code``."""
    Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    (claimed,) = delivery.claim([row.pk])
    outcome = delivery.Outcome(claimed, timezone.now(), 5, status_code, f"HTTP {status_code}", None)
    delivery.finish([outcome])
    row.refresh_from_db()
    return row


def test_an_endpoint_that_starts_failing_tells_its_agencys_admins_once(world, endpoint, client_for):
    row = fail_once(world, endpoint, "192.0.2.60")
    assert row.status == Delivery.Status.FAILING
    (note,) = received(world.partner.admin, Kind.DELIVERY_FAILING)
    assert note.sentence == (
        "Deliveries to the endpoint “NL SOC” of NL-NHTCU are failing (HTTP 500 from partner); "
        "they will be retried."
    )
    others = [u for u in everyone(world) if u != world.partner.admin]
    assert not Notification.objects.filter(user__in=others).exists()
    page = client_for(world.partner.admin).get(note.link)
    assert page.status_code == 200 and "NL SOC" in page.content.decode()
    # Another delivery starts failing: nothing new while the first is unread.
    fail_once(world, endpoint, "192.0.2.61")
    assert len(received(world.partner.admin, Kind.DELIVERY_FAILING)) == 1


def test_a_dead_delivery_reaches_the_admins_while_they_have_the_failing_one_unread(
    world, endpoint, client_for
):
    row = fail_once(world, endpoint, "192.0.2.62")
    row = attempt(row)
    assert row.status == Delivery.Status.DEAD
    (failing,) = received(world.partner.admin, Kind.DELIVERY_FAILING)
    (dead,) = received(world.partner.admin, Kind.DELIVERY_DEAD)
    assert failing.read_at is None and dead.read_at is None
    assert dead.sentence == (
        "A delivery to the endpoint “NL SOC” of NL-NHTCU is dead after its last attempt "
        "(HTTP 500 from partner)."
    )
    page = client_for(world.partner.admin).get("/notifications/?show=unread")
    assert [n.pk for n in page.context["page"]] == [dead.pk, failing.pk]
    assert "2 unread notifications" in page.content.decode()
    others = [u for u in everyone(world) if u != world.partner.admin]
    assert not Notification.objects.filter(user__in=others).exists()


def test_a_second_dead_delivery_is_held_back_until_the_admins_read_the_first(world, endpoint):
    attempt(fail_once(world, endpoint, "192.0.2.64"))
    attempt(fail_once(world, endpoint, "192.0.2.65"))
    assert len(received(world.partner.admin, Kind.DELIVERY_DEAD)) == 1
    Notification.objects.filter(user=world.partner.admin).update(read_at=timezone.now())
    attempt(fail_once(world, endpoint, "192.0.2.66"))
    read, unread = received(world.partner.admin, Kind.DELIVERY_DEAD)
    assert read.read_at is not None and unread.read_at is None


def test_a_successful_round_tells_no_one(world, endpoint):
    inds = add(world.owner, ("ipv4", "192.0.2.63"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=inds,
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    attempt(Delivery.objects.get(endpoint=endpoint), status_code=200)
    assert not Notification.objects.exists()


def test_an_answered_invitation_or_decided_request_is_read_for_everyone_it_reached(
    world, invitation, asked
):
    jits.jit_respond(actor=world.partner.admin, membership=invitation, accept=True)
    (note,) = received(world.partner.admin, Kind.JIT_INVITATION)
    assert note.read_at is not None
    target = AccessRequestTarget.objects.get(request=asked, holder=world.owner.agency)
    access_requests.access_request_decline(
        actor=world.owner.investigator, target=target, reason="Not now"
    )
    for user in (world.owner.admin, world.owner.investigator):
        (note,) = received(user, Kind.ACCESS_REQUEST)
        assert note.read_at is not None
    (outsiders,) = received(world.outsider.investigator, Kind.ACCESS_REQUEST)
    assert outsiders.read_at is None  # its own target is still to decide
