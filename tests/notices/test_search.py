"""Search: name (accents and typos forgiven on PostgreSQL), date of birth, nationality, type,
status — over visible notices only."""

from __future__ import annotations

from datetime import date

import pytest

from agencies.models import Jurisdiction
from notices import selectors
from notices.models import Notice


@pytest.fixture
def notices(world, make_notice):
    eu = Jurisdiction.objects.get(code="EU")
    return {
        "smith": make_notice("published"),
        "muller": make_notice(
            "published",
            family_name="Müller",
            forenames="José",
            nationalities=["ES"],
            date_of_birth=date(1990, 7, 1),
        ),
        "hidden": make_notice(
            "published", family_name="Smith", forenames="Johnny", recipient_jurisdictions=[eu]
        ),
        "draft": make_notice("draft", family_name="Smith", forenames="John"),
        "other": make_notice("published", family_name="Kowalski", forenames="Piotr"),
    }


def _ids(client, query: str) -> list[int]:
    response = client.get(f"/api/v1/notices/?{query}")
    assert response.status_code == 200, response.json()
    return [n["id"] for n in response.json()["results"]]


def test_a_misspelt_name_finds_the_notice(world, notices, api_client_for):
    client = api_client_for(world.outsider.investigator, world.outsider.agency)
    assert _ids(client, "name=Jonh Smiht") == [notices["smith"].pk]
    assert _ids(client, "name=smith") == [notices["smith"].pk]
    assert _ids(client, "name=Smiht") == [notices["smith"].pk]


def test_name_search_ignores_accents(world, notices, api_client_for):
    client = api_client_for(world.outsider.investigator, world.outsider.agency)
    assert _ids(client, "name=Jose Muller") == [notices["muller"].pk]
    assert _ids(client, "name=müler") == [notices["muller"].pk]


def test_search_covers_only_what_the_user_may_see(world, notices, api_client_for):
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    assert set(_ids(partner, "name=Jonh Smiht")) == {notices["smith"].pk, notices["hidden"].pk}
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    assert notices["draft"].pk in _ids(owner, "name=Smith")
    assert notices["draft"].pk not in _ids(partner, "name=Smith")


def test_search_by_birth_date_nationality_type_and_status(world, notices, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    assert _ids(client, "date_of_birth=1990-07-01") == [notices["muller"].pk]
    assert _ids(client, "nationality=es") == [notices["muller"].pk]
    assert _ids(client, "status=draft") == [notices["draft"].pk]
    assert _ids(client, "type=YELLOW") == []
    assert set(_ids(client, "type=RED&status=published&nationality=DE")) == {
        notices["smith"].pk,
        notices["hidden"].pk,
        notices["other"].pk,
    }


def test_bad_search_input_names_the_parameter(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.get("/api/v1/notices/?date_of_birth=yesterday&type=PINK")
    assert response.status_code == 400
    assert set(response.json()) == {"date_of_birth", "type"}


def test_the_search_page_finds_a_misspelt_name(world, notices, client_for):
    html = (
        client_for(world.outsider.investigator)
        .get("/notices/", {"name": "Jonh Smiht"})
        .content.decode()
    )
    assert f'href="/notices/{notices["smith"].pk}/"' in html
    assert "KOWALSKI" not in html


def test_the_list_query_count_does_not_grow_with_results(
    world, make_notice, api_client_for, django_assert_max_num_queries
):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    make_notice("draft")
    with django_assert_max_num_queries(15) as small:
        client.get("/api/v1/notices/")
    for _ in range(6):
        make_notice("draft")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/api/v1/notices/")


def test_the_sqlite_fallback_also_folds_accents_and_tolerates_typos(notices):

    def found(name):
        return set(selectors._filter_by_name_fallback(Notice.objects.all(), name.split()))

    assert found("Jose Muller") == {notices["muller"]}
    assert found("Jonh Smiht") == {notices["smith"], notices["draft"]}
    assert found("Kowalsky") == {notices["other"]}
    assert found("Nobody") == set()
