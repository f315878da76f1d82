"""The notification centre: the page (unread first, filters, pages), opening one marks it read
and follows its link, mark all read, the header's unread badge, and the REST list and read.
Everyone reads only their own: another user's notification is a 404 like a missing one."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from notifications import selectors, services
from notifications.models import Notification
from tests.paging import walk_api, walk_html

pytestmark = pytest.mark.django_db
Kind = Notification.Kind


def tell(user, count: int = 1, kind: str = Kind.ASSISTANCE_STATUS, link: str = "/cases/"):
    """``count`` notifications about nothing in particular (every one readable by ``user``)."""
    rows = []
    for n in range(count):
        rows += services.notify(
            users=[user],
            kind=kind,
            params={"message": f"Note {n} for {user.username}"},
            link=link,
            subject=f"Note {n}",
        )
    return sorted(rows, key=lambda row: row.pk)


def test_the_page_lists_my_notifications_unread_first_and_no_one_elses(world, client_for):
    old, new = tell(world.owner.investigator, 2)
    services.notification_mark_read(actor=world.owner.investigator, notification=new)
    tell(world.partner.investigator)
    page = client_for(world.owner.investigator).get("/notifications/")
    assert page.status_code == 200
    assert [n.pk for n in page.context["page"]] == [old.pk, new.pk]
    html = page.content.decode()
    assert "Note 0 for owner_investigator" in html and "partner_investigator" not in html
    for side in (world.partner, world.outsider):
        html = client_for(side.investigator).get("/notifications/").content.decode()
        assert "owner_investigator" not in html


def test_the_page_filters_unread_and_by_kind_and_names_a_bad_choice(world, client_for):
    first, _second = tell(world.owner.investigator, 2)
    (jit,) = tell(world.owner.investigator, kind=Kind.JIT_INVITATION)
    services.notification_mark_read(actor=world.owner.investigator, notification=first)
    client = client_for(world.owner.investigator)
    unread = client.get("/notifications/?show=unread").context["page"]
    assert first.pk not in [n.pk for n in unread] and len(unread) == 2
    only_jit = client.get("/notifications/?kind=jit_invitation").context["page"]
    assert [n.pk for n in only_jit] == [jit.pk]
    bad = client.get("/notifications/?kind=nonsense")
    assert bad.status_code == 400
    assert "Kind: “nonsense” is not one of the choices" in bad.content.decode()


def test_the_page_walks_every_notification_once(world, client_for, monkeypatch):
    monkeypatch.setattr("notifications.views.PAGE_SIZE", 2)
    mine = tell(world.owner.investigator, 5)
    services.notification_mark_read(actor=world.owner.investigator, notification=mine[4])
    walked = walk_html(client_for(world.owner.investigator), "/notifications/")
    assert [n.pk for n in walked] == [n.pk for n in reversed(mine[:4])] + [mine[4].pk]


def test_opening_one_marks_it_read_and_follows_its_link(world, client_for):
    (note,) = tell(world.owner.investigator, link="/cases/jit-invitations/")
    client = client_for(world.owner.investigator)
    assert client.get(f"/notifications/{note.pk}/read/").status_code == 405
    response = client.post(f"/notifications/{note.pk}/read/")
    assert response.status_code == 302 and response.url == "/cases/jit-invitations/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_another_users_notification_is_a_404_and_stays_unread(world, client_for):
    (note,) = tell(world.owner.investigator)
    for side in (world.partner, world.outsider):
        assert (
            client_for(side.investigator).post(f"/notifications/{note.pk}/read/").status_code == 404
        )
    assert client_for(world.owner.admin).post(f"/notifications/{note.pk}/read/").status_code == 404
    assert client_for(world.owner.admin).post("/notifications/999999999/read/").status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_all_read_redirects_with_a_message_and_touches_only_mine(world, client_for):
    tell(world.owner.investigator, 3)
    (theirs,) = tell(world.partner.investigator)
    client = client_for(world.owner.investigator)
    response = client.post("/notifications/read/")
    assert response.status_code == 302 and response.url == "/notifications/"
    page = client.get(response.url).content.decode()
    assert "3 notifications marked as read." in page
    assert not Notification.objects.filter(user=world.owner.investigator, read_at=None).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client.get("/notifications/read/").status_code == 405


def test_the_header_badge_counts_unread_with_words_in_one_cheap_query_when_none(world, client_for):
    tell(world.owner.investigator, 3)
    client = client_for(world.owner.investigator)
    html = client.get("/cases/").content.decode()
    assert '<span class="badge badge-unread" aria-hidden="true">3</span>' in html
    assert '<span class="visually-hidden">3 unread notifications</span>' in html
    # On a phone the menu hides the link: its button shows the count too.
    start = html.index('class="menu-button"')
    menu = html[start : html.index("</button>", start)]
    assert '<span class="badge badge-unread" aria-hidden="true">3</span>' in menu
    one = client_for(world.partner.investigator).get("/cases/").content.decode()
    assert "unread notification" not in one
    tell(world.partner.investigator)
    one = client_for(world.partner.investigator).get("/cases/").content.decode()
    assert "1 unread notification<" in one
    with CaptureQueriesContext(connection) as queries:
        assert selectors.unread_count(user=world.owner.investigator) == 3
    assert len(queries) == 2  # the types present, then the count that checks visibility
    with CaptureQueriesContext(connection) as queries:
        assert selectors.unread_count(user=world.outsider.investigator) == 0
    assert len(queries) == 1


def test_anonymous_visitors_are_sent_to_log_in(client):
    assert client.get("/notifications/").status_code == 302
    assert client.get("/api/v1/notifications/").status_code in (401, 403)


def test_the_api_lists_my_notifications_with_their_sentence(world, api_client_for):
    (note,) = tell(world.owner.investigator, kind=Kind.JIT_INVITATION)
    tell(world.partner.investigator)
    api = api_client_for(world.owner.investigator, world.owner.agency)
    response = api.get("/api/v1/notifications/")
    assert response.status_code == 200
    (item,) = response.json()["results"]
    assert item["id"] == note.pk and item["kind"] == "jit_invitation"
    assert item["kind_label"] == "JIT invitation"
    assert item["sentence"] == "Note 0 for owner_investigator" and item["read_at"] is None
    outsider = api_client_for(world.outsider.investigator, world.outsider.agency)
    assert outsider.get("/api/v1/notifications/").json()["results"] == []


def test_the_api_filters_and_refuses_bad_filters_by_name(world, api_client_for):
    first, second = tell(world.owner.investigator, 2)
    services.notification_mark_read(actor=world.owner.investigator, notification=first)
    api = api_client_for(world.owner.investigator, world.owner.agency)
    unread = api.get("/api/v1/notifications/?unread=true").json()["results"]
    assert [n["id"] for n in unread] == [second.pk]
    bad = api.get("/api/v1/notifications/?kind=nope")
    assert bad.status_code == 400 and "kind" in bad.json()
    assert api.get("/api/v1/notifications/?unread=maybe").status_code == 400
    assert walk_api(api, "/api/v1/notifications/", limit=1) == [second.pk, first.pk]


def test_the_api_marks_mine_read_and_answers_404_for_anyone_elses(world, api_client_for):
    (note,) = tell(world.owner.investigator)
    for side in (world.partner, world.outsider):
        other = api_client_for(side.investigator, side.agency)
        assert other.post(f"/api/v1/notifications/{note.pk}/read/").status_code == 404
    mine = api_client_for(world.owner.investigator, world.owner.agency)
    response = mine.post(f"/api/v1/notifications/{note.pk}/read/")
    assert response.status_code == 200 and response.json()["read_at"]
    note.refresh_from_db()
    assert note.read_at is not None
    again = mine.post(f"/api/v1/notifications/{note.pk}/read/")
    assert again.status_code == 200 and again.json()["read_at"] == response.json()["read_at"]


def test_marking_someone_elses_notification_read_is_refused_by_the_service(world):
    (note,) = tell(world.owner.investigator)
    with pytest.raises(ValidationError, match="Not your notification."):
        services.notification_mark_read(actor=world.partner.investigator, notification=note)


def test_notify_refuses_a_link_off_the_site_and_an_unknown_kind(world):
    with pytest.raises(ValueError, match="a path starting with /"):
        tell(world.owner.investigator, link="https://evil.example/")
    with pytest.raises(ValueError, match="a path starting with /"):
        tell(world.owner.investigator, link="//evil.example/")
    with pytest.raises(ValueError, match="Unknown notification kind"):
        tell(world.owner.investigator, kind="nope")


def test_a_repeated_once_while_unread_kind_reaches_each_user_once_until_read(world):
    admin = world.owner.admin
    endpoint_like = world.owner.agency  # any saved object: the key is (type, id)
    kwargs = {
        "kind": Kind.DELIVERY_FAILING,
        "params": {},
        "link": "/cases/",
        "subject": "x",
        "about": endpoint_like,
    }
    assert len(services.notify(users=[admin, admin, world.owner.investigator], **kwargs)) == 2
    assert services.notify(users=[admin], **kwargs) == []
    Notification.objects.filter(user=admin).update(read_at=timezone.now())
    assert len(services.notify(users=[admin], **kwargs)) == 1
    # a once-per-object kind does not hold back other kinds, once-per-object or not
    assert len(services.notify(users=[admin], **{**kwargs, "kind": Kind.DELIVERY_DEAD})) == 1
    other = {**kwargs, "kind": Kind.JIT_INVITATION}
    assert len(services.notify(users=[admin], **other)) == 1
    assert len(services.notify(users=[admin], **other)) == 1


def test_the_when_column_has_its_own_words_as_a_column_header(world, client_for, catalogue):
    catalogue("fr", {"column\x04When": "Date"})
    tell(world.owner.investigator)
    page = client_for(world.owner.investigator).get("/notifications/", HTTP_ACCEPT_LANGUAGE="fr")
    head = page.content.decode().split("<thead>")[1].split("</thead>")[0]
    assert ">Date<" in head and "Quand" not in head
