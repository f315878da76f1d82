"""The indicator list as a table: server-side sorting by whitelisted columns, first /
previous / next / last keyset paging with a page size, a capped total under a filter that
counts only what the caller sees, bad parameters, and "share selected" / "all matching"."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from sharing.views import NOTHING_SELECTED
from tests.sharing.conftest import add, shared_with_partner

VALUES = [
    ("domain", "b.example"),
    ("ipv4", "192.0.2.1"),
    ("domain", "a.example"),
    ("ipv4", "192.0.2.2"),
]


def values(response) -> list[str]:
    return [i.normalized for i in response.context["page"]]


@pytest.fixture
def four(world):
    return add(world.owner, *VALUES)


def test_the_list_is_newest_first_and_sorting_by_added_ascending_reverses_it(
    world, four, client_for
):
    client = client_for(world.owner.investigator)
    newest = values(client.get("/indicators/"))
    oldest = values(client.get("/indicators/", {"sort": "created"}))
    assert newest == ["192.0.2.2", "a.example", "192.0.2.1", "b.example"]
    assert oldest == list(reversed(newest))


def test_sorting_by_type_orders_by_type_then_value_both_ways(world, four, client_for):
    client = client_for(world.owner.investigator)
    up = values(client.get("/indicators/", {"sort": "type"}))
    down = values(client.get("/indicators/", {"sort": "-type"}))
    assert up == ["a.example", "b.example", "192.0.2.1", "192.0.2.2"]
    assert down == list(reversed(up))


def test_the_sorted_header_carries_aria_sort_and_links_to_the_other_direction(
    world, four, client_for
):
    body = client_for(world.owner.investigator).get("/indicators/", {"sort": "type"})
    html = body.content.decode()
    assert 'aria-sort="ascending"' in html
    assert 'href="?sort=-type"' in html  # the header flips the direction
    assert 'href="?sort=created"' in html  # another sortable column


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "value"},  # a column without an index: not a sort
        {"sort": "-owner__password"},
        {"sort": "x" * 5000},
        {"per_page": "100000"},
        {"per_page": "-1"},
        {"per_page": "ten"},
        {"cursor": "last", "sort": "¹"},
    ],
)
def test_a_bad_sort_or_page_size_is_ignored(world, four, client_for, params):
    response = client_for(world.owner.investigator).get("/indicators/", params)
    assert response.status_code == 200
    assert len(values(response)) == 4
    assert response.context["table"].size == 50


@pytest.mark.parametrize("field,value,label", [("type", "nope", "Type"), ("tlp", "PINK", "TLP")])
def test_an_unknown_filter_choice_is_a_400_that_names_the_field(
    world, four, client_for, field, value, label
):
    response = client_for(world.owner.investigator).get("/indicators/", {field: value})
    assert response.status_code == 400
    assert f"{label}: “{value}” is not one of the choices" in response.content.decode()
    assert len(values(response)) == 4  # ignored, not applied


def test_pages_walk_first_next_last_and_previous_with_a_chosen_page_size(world, client_for):
    add(world.owner, *[("ipv4", f"198.51.100.{n}") for n in range(1, 31)])
    client = client_for(world.owner.investigator)
    first = client.get("/indicators/", {"per_page": "25", "sort": "created"})
    table = first.context["table"]
    assert values(first) == [f"198.51.100.{n}" for n in range(1, 26)]
    assert table.links["first"] is None and table.links["previous"] is None
    assert "per_page=25" in table.links["next"] and "sort=created" in table.links["next"]
    following = client.get("/indicators/" + table.links["next"])
    assert values(following) == [f"198.51.100.{n}" for n in range(26, 31)]
    # The last page is the final 25 rows (a reversed keyset page, no OFFSET), and its
    # previous page is the first page (it reaches back to the start).
    last = client.get("/indicators/" + table.links["last"])
    assert values(last) == [f"198.51.100.{n}" for n in range(6, 31)]
    assert last.context["table"].links["next"] is None
    assert last.context["table"].links["last"] is None
    back = client.get("/indicators/" + last.context["table"].links["previous"])
    assert values(back) == [f"198.51.100.{n}" for n in range(1, 26)]
    assert back.context["page"].is_first


def test_the_last_page_of_the_newest_first_list_holds_the_oldest(world, client_for):
    add(world.owner, *[("ipv4", f"198.51.100.{n}") for n in range(1, 31)])
    last = client_for(world.owner.investigator).get(
        "/indicators/", {"per_page": "25", "cursor": "last"}
    )
    assert values(last) == [f"198.51.100.{n}" for n in range(25, 0, -1)]
    assert last.context["table"].links["first"] is not None


def test_the_total_under_a_filter_counts_only_what_each_side_sees(world, eu_agreement, client_for):
    shared_with_partner(world)  # 192.0.2.80, shared with the partner
    add(world.owner, ("ipv4", "192.0.2.81"), ("ipv4", "192.0.2.82"))
    totals = {}
    for name in ("owner", "partner", "outsider"):
        side = getattr(world, name)
        response = client_for(side.investigator).get("/indicators/", {"type": "ipv4"})
        totals[name] = (response.context["table"].total, sorted(values(response)))
    assert totals["owner"] == (3, ["192.0.2.80", "192.0.2.81", "192.0.2.82"])
    assert totals["partner"] == (1, ["192.0.2.80"])
    assert totals["outsider"] == (0, [])


def test_unfiltered_there_is_no_total(world, four, client_for):
    response = client_for(world.owner.investigator).get("/indicators/")
    assert response.context["table"].total is None
    assert "in all" not in response.content.decode()


def test_the_sorted_list_still_shows_each_side_only_what_it_may_see(
    world, eu_agreement, client_for
):
    shared = shared_with_partner(world)
    (private,) = add(world.owner, ("domain", "private.example"))
    for sort in ("type", "-type", "created", "-created"):
        seen = {
            name: {
                i.pk
                for i in client_for(getattr(world, name).investigator)
                .get("/indicators/", {"sort": sort})
                .context["page"]
            }
            for name in ("owner", "partner", "outsider")
        }
        assert seen == {"owner": {shared.pk, private.pk}, "partner": {shared.pk}, "outsider": set()}


def test_the_empty_list_says_what_to_do_next(world, client_for):
    html = client_for(world.owner.investigator).get("/indicators/").content.decode()
    assert "No indicators found." in html and 'href="/indicators/add/"' in html
    searched = client_for(world.owner.investigator).get("/indicators/", {"q": "nothing.example"})
    assert "Clear the search" in searched.content.decode()


def test_share_with_nothing_selected_goes_back_to_the_list_with_a_message(world, client_for):
    response = client_for(world.owner.investigator).get("/indicators/share/", {"q": "x.example"})
    assert response.status_code == 302 and response.url == "/indicators/?q=x.example"
    assert [str(m) for m in get_messages(response.wsgi_request)] == [str(NOTHING_SELECTED)]


def test_share_all_matching_takes_the_owners_own_indicators_under_the_filter(
    world, eu_agreement, client_for
):
    add(world.owner, ("domain", "one.example"), ("domain", "two.example"), ("ipv4", "192.0.2.9"))
    response = client_for(world.owner.investigator).get(
        "/indicators/share/", {"all": "1", "type": "domain"}
    )
    assert response.status_code == 200
    assert sorted(i.normalized for i in response.context["indicators"]) == [
        "one.example",
        "two.example",
    ]
    html = response.content.decode()
    assert 'name="all" value="1"' in html and 'name="type" value="domain"' in html


def test_share_all_matching_never_takes_what_the_caller_does_not_own(
    world, eu_agreement, client_for
):
    shared_with_partner(world)
    for side in (world.partner, world.outsider):
        response = client_for(side.investigator).get("/indicators/share/", {"all": "1"})
        assert response.status_code == 302 and response.url == "/indicators/"


def test_share_all_matching_refuses_more_than_the_cap_with_a_message(
    world, client_for, monkeypatch
):
    monkeypatch.setattr("sharing.views.SHARE_ALL_MAX", 2)
    add(world.owner, *VALUES)
    response = client_for(world.owner.investigator).get("/indicators/share/", {"all": "1"})
    assert response.status_code == 302
    assert "More than 2 indicators match" in str(list(get_messages(response.wsgi_request))[0])


def test_the_tlp_cell_shows_the_code_with_its_colour_class(world, four, client_for):
    html = client_for(world.owner.investigator).get("/indicators/").content.decode()
    assert '<span class="tlp tlp-AMBER">TLP:AMBER</span>' in html


def test_select_all_matching_groups_the_thousands_of_its_count(world, client_for):
    add(world.owner, *(("domain", f"host{n}.example") for n in range(1_001)))
    html = client_for(world.owner.investigator).get("/indicators/", {"type": "domain"})
    assert "Select all 1,001 matching" in html.content.decode()


def test_the_owner_cell_keeps_the_agency_code_on_one_line(world, four, client_for):
    html = client_for(world.owner.investigator).get("/indicators/").content.decode()
    assert f'<td class="code">{world.owner.agency.code}</td>' in html
