"""The review queue and the public notices on the shared table: sorted by their columns,
filtered (django-filter) with a bad value named, paged, with totals and an empty state that
says what next; only reviewers have a queue, and the public list shows only public extracts."""

from __future__ import annotations

import pytest

from tests.paging_queries import count_queries

pytestmark = pytest.mark.django_db

QUEUE = "/notices/review/"
PUBLIC = "/public/notices/"
YELLOW = {
    "languages": ["EN"],
    "forenames": "Ann",
    "date_of_birth": "2012-01-01",
    "sex": "F",
    "facts_summary": "Missing",
    "facts_place": "Lyon",
    "facts_date": "2025-01-01",
}


@pytest.fixture
def waiting(world, make_notice):
    """Two Red notices and a Yellow one submitted, oldest first; a draft that never waits."""
    made = [
        make_notice("submitted", family_name="Rot"),
        make_notice("submitted", notice_type="YELLOW", family_name="Gelb", **YELLOW),
        make_notice("submitted", family_name="Rouge"),
    ]
    make_notice("draft", family_name="Draftus")
    return made


@pytest.fixture
def public(world, make_notice):
    """A Red and a Yellow public extract, and a published Red notice without consent."""
    return {
        "red": make_notice("published", public_extract_consent=True, family_name="Anders"),
        "yellow": make_notice(
            "published",
            notice_type="YELLOW",
            public_extract_consent=True,
            family_name="Zeller",
            **YELLOW,
        ),
        "private": make_notice("published", family_name="Geheim"),
    }


def test_the_reviewer_sees_the_queue_oldest_first_with_its_total(world, waiting, client_for):
    response = client_for(world.reviewer).get(QUEUE)
    assert response.status_code == 200
    assert [n.pk for n in response.context["page"]] == [n.pk for n in waiting]
    assert response.context["table"].total == 3
    html = response.content.decode()
    assert "Yellow notice" in html and "DRAFTUS" not in html


def test_the_queue_sorts_by_type_and_number_both_ways(world, waiting, client_for):
    client = client_for(world.reviewer)
    by_type = [n.notice_type for n in client.get(QUEUE, {"sort": "type"}).context["page"]]
    assert by_type == ["RED", "RED", "YELLOW"]
    newest = client.get(QUEUE, {"sort": "-number"})
    assert [n.pk for n in newest.context["page"]] == [n.pk for n in reversed(waiting)]
    assert 'aria-sort="descending"' in newest.content.decode()


def test_the_queue_filters_by_type_and_names_a_bad_value(world, waiting, client_for):
    client = client_for(world.reviewer)
    yellow = client.get(QUEUE, {"type": "YELLOW"})
    assert [n.pk for n in yellow.context["page"]] == [waiting[1].pk]
    assert yellow.context["table"].total == 1
    bad = client.get(QUEUE, {"type": "PINK"})
    assert bad.status_code == 400
    assert "Type: “PINK” is not one of the choices; it was ignored." in bad.content.decode()
    assert len(bad.context["page"]) == 3
    draft_status = client.get(QUEUE, {"status": "draft"})
    assert draft_status.status_code == 400 and len(draft_status.context["page"]) == 3


def test_an_empty_filtered_queue_offers_to_clear_the_filters(world, waiting, client_for):
    response = client_for(world.reviewer).get(QUEUE, {"requester": "XX-NONE"})
    html = response.content.decode()
    assert "Nothing waiting for review" in html and "Clear the filters" in html


def test_owner_partner_and_outsider_have_no_review_queue(world, waiting, client_for):
    for side in (world.owner, world.partner, world.outsider):
        response = client_for(side.investigator).get(QUEUE, {"type": "RED"})
        assert response.status_code == 403
        assert b"Rouge" not in response.content and b"ROUGE" not in response.content


def test_the_public_list_shows_only_public_extracts_to_everyone(world, public, client, client_for):
    for viewer in (client, client_for(world.outsider.investigator)):
        response = viewer.get(PUBLIC)
        assert response.status_code == 200
        assert {n.pk for n in response.context["page"]} == {public["red"].pk, public["yellow"].pk}
        assert response.context["table"].total == 2
        assert "GEHEIM" not in response.content.decode()
        # A filter only narrows: naming the private notice finds nothing.
        hidden = viewer.get(PUBLIC, {"name": "Geheim"})
        assert list(hidden.context["page"]) == [] and hidden.context["table"].total == 0
        assert "contact your local police" in hidden.content.decode()


def test_the_public_list_sorts_by_name_and_filters_by_type(world, public, client):
    by_name = client.get(PUBLIC, {"sort": "name"}).context["page"]
    assert [n.pk for n in by_name] == [public["red"].pk, public["yellow"].pk]
    by_name_desc = client.get(PUBLIC, {"sort": "-name"}).context["page"]
    assert [n.pk for n in by_name_desc] == [public["yellow"].pk, public["red"].pk]
    yellow = client.get(PUBLIC, {"type": "YELLOW"})
    assert [n.pk for n in yellow.context["page"]] == [public["yellow"].pk]
    bad = client.get(PUBLIC, {"type": "BLUE"})
    assert bad.status_code == 400
    assert "Type: “BLUE” is not one of the choices" in bad.content.decode()


def test_the_queue_and_the_public_list_read_no_query_per_row(
    world, make_notice, client_for, client
):
    reviewer = client_for(world.reviewer)
    make_notice("submitted")
    make_notice("published", public_extract_consent=True)
    one = (count_queries(reviewer, QUEUE), count_queries(client, PUBLIC))
    for _ in range(2):
        make_notice("submitted")
        make_notice("published", public_extract_consent=True)
    assert (count_queries(reviewer, QUEUE), count_queries(client, PUBLIC)) == one
