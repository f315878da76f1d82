"""The members page as a table: sorts by user, e-mail, role and status, filters by role and
status (an unknown value named, 400), counts only the agency's own members; still the
agency admins' page alone."""

from __future__ import annotations

import pytest

from agencies import services

URL = "/agencies/DE-BKA/members/"


def names(response) -> list[str]:
    return [m.user.username for m in response.context["members"]]


@pytest.fixture
def admin(world, client):
    client.force_login(world.owner.admin)
    return client


@pytest.mark.parametrize(
    "sort, expected",
    [
        ("user", ["owner_admin", "owner_analyst", "owner_investigator"]),
        ("-user", ["owner_investigator", "owner_analyst", "owner_admin"]),
        ("role", ["owner_admin", "owner_analyst", "owner_investigator"]),
        ("-role", ["owner_investigator", "owner_analyst", "owner_admin"]),
    ],
)
def test_sorting_by_a_column_reorders_the_members(world, admin, sort, expected):
    assert names(admin.get(URL, {"members_sort": sort})) == expected


def test_sorting_by_status_puts_the_suspended_member_where_it_belongs(world, admin):
    membership = world.owner.analyst.memberships.get(agency=world.owner.agency)
    services.membership_update(actor=world.owner.admin, membership=membership, status="suspended")
    assert names(admin.get(URL, {"members_sort": "-status"}))[0] == "owner_analyst"
    assert names(admin.get(URL, {"members_sort": "status"}))[-1] == "owner_analyst"


def test_the_role_filter_narrows_and_the_total_counts_only_this_agency(world, admin):
    response = admin.get(URL, {"role": "analyst"})
    assert names(response) == ["owner_analyst"]
    assert response.context["members_table"].total == 1
    assert admin.get(URL).context["members_table"].total == 3  # the partner's are not counted


@pytest.mark.parametrize("params", [{"role": "wizard"}, {"status": "gone"}])
def test_an_unknown_filter_value_is_a_400_naming_the_field(world, admin, params):
    response = admin.get(URL, params)
    assert response.status_code == 400
    field = "Role" if "role" in params else "Status"
    assert f"{field}: “{next(iter(params.values()))}” is not one of" in response.content.decode()
    assert len(names(response)) == 3


def test_a_bad_sort_is_ignored(world, admin):
    assert names(admin.get(URL, {"members_sort": "user__password"})) == [
        "owner_admin",
        "owner_analyst",
        "owner_investigator",
    ]


def test_the_sorted_and_filtered_page_stays_the_admins_alone(world, client):
    for side in (world.partner, world.outsider):
        client.force_login(side.admin)
        assert client.get(URL, {"members_sort": "role", "role": "analyst"}).status_code == 404
    client.force_login(world.owner.investigator)
    assert client.get(URL, {"members_sort": "role"}).status_code == 404
