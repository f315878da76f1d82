"""The case list as a table: sorting by opened date and by reference really reorders, the
filters apply and a bad one is named (400), a total appears under a filter and counts only
what the caller sees, and the empty list says how to open a case."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import jits
from tests.cases.conftest import join, open_case

URL = reverse("cases:list")


@pytest.fixture
def cases(world):
    """Four owner cases, the second in a JIT with the partner; one outsider case."""
    made = [open_case(world.owner, title=f"Case {n}", tags=[f"t{n % 2}"]) for n in range(4)]
    jit = jits.jit_create(
        actor=world.owner.investigator, case=made[1], name="J", legal_basis="eu_jit"
    )
    join(jit, world.owner, world.partner)
    open_case(world.outsider, title="Elsewhere")
    return made


def refs(response) -> list[str]:
    return [c.reference for c in response.context["page"]]


def test_sorting_by_opened_and_by_reference_reorders_both_ways(world, cases, client_for):
    client = client_for(world.owner.investigator)
    newest = refs(client.get(URL))
    assert newest == [c.reference for c in reversed(cases)]
    assert refs(client.get(URL, {"sort": "opened"})) == list(reversed(newest))
    by_reference = refs(client.get(URL, {"sort": "reference"}))
    assert by_reference == sorted(newest)
    assert refs(client.get(URL, {"sort": "-reference"})) == sorted(newest, reverse=True)


def test_the_reference_header_links_to_its_sort_with_aria_sort_on_the_current_one(
    world, cases, client_for
):
    html = client_for(world.owner.investigator).get(URL, {"sort": "reference"}).content.decode()
    assert 'aria-sort="ascending"' in html and 'href="?sort=-reference"' in html
    assert 'href="?sort=opened"' in html


@pytest.mark.parametrize("sort", ["title", "-summary", "lead_agency__password", ""])
def test_an_unlisted_sort_is_ignored(world, cases, client_for, sort):
    response = client_for(world.owner.investigator).get(URL, {"sort": sort})
    assert response.status_code == 200
    assert refs(response) == [c.reference for c in reversed(cases)]


def test_each_side_sees_only_its_cases_in_every_order_and_totals_count_only_those(
    world, cases, client_for
):
    for sort in ("reference", "-opened"):
        seen = {
            name: set(refs(client_for(getattr(world, name).investigator).get(URL, {"sort": sort})))
            for name in ("owner", "partner", "outsider")
        }
        assert seen["owner"] == {c.reference for c in cases}
        assert seen["partner"] == {cases[1].reference}
        assert len(seen["outsider"]) == 1  # its own case only
        assert not seen["outsider"] & {c.reference for c in cases}
    totals = {
        name: client_for(getattr(world, name).investigator)
        .get(URL, {"q": "Case"})
        .context["table"]
        .total
        for name in ("owner", "partner", "outsider")
    }
    assert totals == {"owner": 4, "partner": 1, "outsider": 0}


def test_a_filter_narrows_and_a_bad_one_is_a_400_naming_its_field(world, cases, client_for):
    client = client_for(world.owner.investigator)
    assert set(refs(client.get(URL, {"tag": "t1"}))) == {cases[1].reference, cases[3].reference}
    bad = client.get(URL, {"status": "burning", "tag": "t1"})
    assert bad.status_code == 400
    assert "Status: Select a valid choice." in bad.content.decode()
    assert set(refs(bad)) == {cases[1].reference, cases[3].reference}  # the good one applies


def test_the_empty_list_offers_to_open_a_case(world, client_for):
    html = client_for(world.owner.investigator).get(URL).content.decode()
    assert "No cases found." in html and f'href="{reverse("cases:create")}">Open a case' in html


def test_the_tlp_cell_shows_the_code_with_its_colour_class(world, cases, client_for):
    html = client_for(world.owner.investigator).get(URL).content.decode()
    assert '<span class="tlp tlp-AMBER">TLP:AMBER</span>' in html


def test_an_arabic_list_joins_a_cases_tags_with_the_arabic_comma(world, client_for, catalogue):
    catalogue("ar", {"list separator\x04, ": "، "})
    open_case(world.owner, title="Tagged", tags=["botnet", "ddos"])
    client = client_for(world.owner.investigator)
    assert ">botnet، ddos</td>" in client.get(URL, HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    assert ">botnet, ddos</td>" in client.get(URL).content.decode()
