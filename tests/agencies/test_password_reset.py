"""Password reset by e-mail (no hint whether the address exists) and password change, both
linked from the login page and the user menu; a change ends the member's other sessions."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client
from django.utils import timezone

from tests.factories import PASSWORD

NEW_PASSWORD = "a-fresh-and-long-passphrase-42"


def test_the_login_page_links_to_the_password_reset(db, client):
    assert 'href="/accounts/password/reset/"' in client.get("/login/").content.decode()


def test_the_user_menu_links_to_password_change_and_second_factor(world, client_for):
    html = client_for(world.owner.analyst).get("/").content.decode()
    assert 'href="/accounts/password/change/"' in html
    assert 'href="/accounts/2fa/"' in html


@pytest.mark.parametrize("email", ["owner_analyst@example.org", "nobody@example.org"])
def test_a_reset_request_answers_the_same_whether_or_not_the_address_exists(world, client, email):
    response = client.post("/accounts/password/reset/", {"email": email})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"


def test_the_reset_link_sets_a_new_password(world, client):
    client.post("/accounts/password/reset/", {"email": "owner_analyst@example.org"})
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    fresh = Client()
    assert (
        fresh.post("/login/", {"login": "owner_analyst", "password": PASSWORD}).status_code == 200
    )
    assert (
        fresh.post("/login/", {"login": "owner_analyst", "password": NEW_PASSWORD})["Location"]
        == "/"
    )


def test_a_password_change_ends_the_other_sessions(world):
    laptop, phone = Client(), Client()
    for device in (laptop, phone):
        device.post("/login/", {"login": "owner_analyst", "password": PASSWORD})
        assert device.get("/").status_code == 200
    response = laptop.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert laptop.get("/").status_code == 200
    assert phone.get("/").status_code == 302


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/2fa/",
        "/accounts/2fa/totp/activate/",
        "/accounts/2fa/webauthn/",
        "/accounts/2fa/recovery-codes/",
        "/accounts/password/change/",
        "/accounts/password/reset/",
    ],
)
def test_account_pages_render_for_a_signed_in_admin(world, client_for, url):
    response = client_for(world.owner.admin).get(url)
    assert response.status_code in {200, 302}, url


def test_a_session_ends_after_the_idle_period_and_each_request_extends_it(world, client):
    client.post("/login/", {"login": "owner_analyst", "password": PASSWORD})
    assert client.get("/").status_code == 200
    session = Session.objects.get()
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert idle == timedelta(minutes=30)
    assert abs(session.expire_date - (timezone.now() + idle)) < timedelta(seconds=30)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get("/").status_code == 302
