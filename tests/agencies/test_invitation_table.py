"""The members page's invitations as a table: states and roles in words, sorted, filtered by
state and role (django-filter, ``inv-`` parameters), paged, with a total and an empty state;
only the agency's admins see it, and a filter cannot reveal another agency's invitations."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies import services
from agencies.models import Invitation
from tests.paging_queries import count_queries

pytestmark = pytest.mark.django_db

URL = "/agencies/DE-BKA/members/"


@pytest.fixture
def invitations(world):
    """DE-BKA invites three people: one revoked, one expired, one still open; NL one."""
    made = {}
    for name, role in (("open", "analyst"), ("revoked", "investigator"), ("expired", "analyst")):
        made[name], _ = services.invitation_create(
            actor=world.owner.admin,
            agency=world.owner.agency,
            email=f"{name}@example.org",
            role=role,
        )
    services.invitation_revoke(actor=world.owner.admin, invitation=made["revoked"])
    Invitation.objects.filter(pk=made["expired"].pk).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    services.invitation_create(
        actor=world.partner.admin,
        agency=world.partner.agency,
        email="nl-only@example.org",
        role="analyst",
    )
    return made


def _emails(response) -> list[str]:
    return [i.email for i in response.context["invitations_table"].page]


def test_the_admin_sees_the_agencys_invitations_with_states_in_words(
    world, invitations, client_for
):
    response = client_for(world.owner.admin).get(URL)
    assert response.status_code == 200
    assert _emails(response) == ["expired@example.org", "revoked@example.org", "open@example.org"]
    assert response.context["invitations_table"].total == 3
    html = response.content.decode()
    table = html[html.index('id="invitations"') :]
    assert "Revoked" in table and "Expired" in table and "Analyst" in table
    assert ">revoked<" not in table and ">analyst<" not in table
    assert "nl-only@example.org" not in html


def test_invitations_sort_by_email_and_filter_by_state_and_role(world, invitations, client_for):
    client = client_for(world.owner.admin)
    assert _emails(client.get(URL, {"inv_sort": "email"})) == [
        "expired@example.org",
        "open@example.org",
        "revoked@example.org",
    ]
    for state in ("open", "revoked", "expired"):
        assert _emails(client.get(URL, {"inv-state": state})) == [f"{state}@example.org"]
    analysts = client.get(URL, {"inv-role": "analyst", "inv_sort": "email"})
    assert _emails(analysts) == ["expired@example.org", "open@example.org"]
    accepted = client.get(URL, {"inv-state": "accepted"})
    assert _emails(accepted) == [] and "Clear the filters" in accepted.content.decode()


def test_a_bad_state_is_named_and_left_out(world, invitations, client_for):
    response = client_for(world.owner.admin).get(URL, {"inv-state": "pending"})
    assert response.status_code == 400
    assert "State: “pending” is not one of the choices; it was ignored." in (
        response.content.decode()
    )
    assert len(_emails(response)) == 3


def test_partner_and_outsider_admins_see_only_their_own_and_not_ours(
    world, invitations, client_for
):
    partner = client_for(world.partner.admin).get(
        "/agencies/NL-NHTCU/members/", {"inv-state": "open"}
    )
    assert _emails(partner) == ["nl-only@example.org"]
    for user in (world.partner.admin, world.outsider.admin, world.owner.investigator):
        response = client_for(user).get(URL, {"inv-state": "open"})
        assert response.status_code == 404
        assert b"open@example.org" not in response.content


def test_an_agency_without_invitations_is_told_how_to_invite(world, client_for):
    html = client_for(world.owner.admin).get(URL).content.decode()
    assert "No invitations. Invite a member with the form above." in html


def test_the_invitations_read_no_query_per_row(world, invitations, client_for):
    client = client_for(world.owner.admin)
    one = count_queries(client, URL)
    for n in range(3):
        services.invitation_create(
            actor=world.owner.admin,
            agency=world.owner.agency,
            email=f"more{n}@example.org",
            role="analyst",
        )
    assert count_queries(client, URL) == one
