"""The notice list as a table: sorting by number, type and status really reorders, a name
search is best match first, a bad sort is ignored, and each side sees only its notices."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db

URL = "/notices/"


@pytest.fixture
def notices(world, make_notice):
    """A published Red, a draft Yellow and a draft Red (the owner's alone), an EU-only
    published Red the outsider cannot see."""
    eu = world.owner.agency.country.regimes.get(code="EU")
    return [
        make_notice("published", family_name="Rot"),
        make_notice("draft", notice_type="YELLOW", family_name="Gelb"),
        make_notice("draft", family_name="Entwurf"),
        make_notice("published", family_name="Blau", recipient_jurisdictions=[eu]),
    ]


def pks(response) -> list[int]:
    return [n.pk for n in response.context["page"]]


def test_sorting_by_number_reverses_the_newest_first_list(world, notices, client_for):
    client = client_for(world.owner.investigator)
    newest = pks(client.get(URL))
    assert newest == sorted(newest, reverse=True)
    assert pks(client.get(URL, {"sort": "number"})) == sorted(newest)


def test_sorting_by_type_and_by_status_groups_them(world, notices, client_for):
    client = client_for(world.owner.investigator)
    types = [n.notice_type for n in client.get(URL, {"sort": "type"}).context["page"]]
    assert types == sorted(types) and types != [n.notice_type for n in reversed(notices)]
    statuses = [n.status for n in client.get(URL, {"sort": "-status"}).context["page"]]
    assert statuses == sorted(statuses, reverse=True)


@pytest.mark.parametrize("sort", ["born", "expires", "match", "-requesting_agency__name"])
def test_a_sort_that_is_not_offered_is_ignored(world, notices, client_for, sort):
    response = client_for(world.owner.investigator).get(URL, {"sort": sort})
    assert response.status_code == 200
    assert pks(response) == sorted(pks(response), reverse=True)


def test_each_side_sees_only_its_notices_in_every_order(world, notices, client_for):
    for sort in ("type", "-status", "number"):
        seen = {
            name: set(pks(client_for(getattr(world, name).investigator).get(URL, {"sort": sort})))
            for name in ("owner", "partner", "outsider")
        }
        assert seen["owner"] == {n.pk for n in notices}
        assert seen["partner"] == {notices[0].pk, notices[3].pk}
        assert seen["outsider"] == {notices[0].pk}
