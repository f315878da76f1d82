"""Shared pieces of the agency admin page tests: who asks, and how a refusal looks."""

from __future__ import annotations

from agencies.models import Membership

# who -> expected status for a page of the owner agency (anonymous: redirect to login)
MATRIX = [("owner_admin", None), ("partner_admin", 404), ("owner_investigator", 404), ("anon", 302)]


def client_as(who, world, client):
    users = {
        "owner_admin": world.owner.admin,
        "partner_admin": world.partner.admin,
        "owner_investigator": world.owner.investigator,
        "outsider_admin": world.outsider.admin,
    }
    if who != "anon":
        client.force_login(users[who])
    return client


def membership(user, agency) -> Membership:
    return Membership.objects.get(user=user, agency=agency)


def assert_refused(response, who, expected, url):
    assert response.status_code == expected, who
    if expected == 302:
        assert response["Location"] == f"/login/?next={url}"


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]
