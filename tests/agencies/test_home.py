"""Login, logout, the base layout and the home page with the user's agencies and roles."""

from __future__ import annotations

from agencies import services
from agencies.models import Membership
from tests.factories import PASSWORD


def test_home_requires_login(db, client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/"


def test_login_and_logout(world, client):
    response = client.post("/login/", {"login": "owner_analyst", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    assert client.post("/logout/").status_code == 302
    assert client.get("/").status_code == 302


def test_a_wrong_password_is_refused(world, client):
    response = client.post("/login/", {"login": "owner_analyst", "password": "nope"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert client.get("/").status_code == 302


def test_home_lists_the_users_agencies_and_roles(world, client):
    services.membership_set(
        actor=None,
        agency=world.outsider.agency,
        user=world.owner.admin,
        role="analyst",
        seconded=True,
    )
    client.force_login(world.owner.admin)
    response = client.get("/")
    rows = [(m.agency.code, m.role, m.seconded) for m in response.context["memberships"]]
    assert rows == [("DE-BKA", "agency_admin", False), ("IN-CBI", "analyst", True)]
    html = response.content.decode()
    assert "Agency admin" in html and "Analyst (seconded)" in html
    # the navigation offers the admin pages of administered agencies only
    assert "/agencies/DE-BKA/members/" in html
    assert "/agencies/IN-CBI/members/" not in html


def test_a_suspended_member_does_not_see_the_agency_on_the_home_page(world, client):
    membership = Membership.objects.get(user=world.owner.analyst, agency=world.owner.agency)
    services.membership_update(actor=world.owner.admin, membership=membership, status="suspended")
    client.force_login(world.owner.analyst)
    response = client.get("/")
    assert list(response.context["memberships"]) == []
    assert "not an active member of any agency" in response.content.decode()


def test_a_non_admin_sees_no_admin_links(world, client):
    client.force_login(world.owner.investigator)
    html = client.get("/").content.decode()
    assert "/members/" not in html and "/agencies/DE-BKA/api-keys/" not in html
    assert 'href="/api-keys/"' in html  # their own keys


def test_unknown_pages_are_a_plain_404(world, client):
    client.force_login(world.owner.admin)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"nothing you may see" in response.content
