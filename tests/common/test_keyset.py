"""Keyset pagination (common/keyset.py, common/drf.py): every row once, in order, both ways;
a tampered cursor is a 400 on the API and the first page in the browser, never a 500."""

from __future__ import annotations

import base64
import json

import pytest
from django.db.models import F, IntegerField
from django.db.models.functions import Cast
from django.test import RequestFactory

from agencies.models import Agency, Membership
from cases import services as case_services
from common.keyset import InvalidCursor, encode_cursor, keyset_page, page_for_request
from tests.factories import AgencyFactory


def _raw(data: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


TAMPERED = [
    "x",
    "!!!!",
    "A" * 5000,
    _raw(None),
    _raw([0, [1]]),
    _raw({"r": 2, "p": [1]}),
    _raw({"r": 0, "p": "1"}),
    _raw({"r": 0, "p": [1, 2, 3]}),
    _raw({"r": 0, "p": ["not a number"]}),
    _raw({"r": 0, "p": [None]}),
    _raw({"r": 0, "p": [{"id": 1}]}),
    _raw({"r": 0, "p": [2**70]}),
    base64.urlsafe_b64encode(b"\xff\xfe").decode(),
]
# Invalid whatever the list's key: not ours, the wrong shape, or no value at all.
INVALID_FOR_EVERY_KEY = [
    c
    for c in TAMPERED
    if c not in (_raw({"r": 0, "p": ["not a number"]}), _raw({"r": 0, "p": [2**70]}))
]


def _walk(queryset, ordering, size):
    rows, cursor = [], None
    while True:
        page = keyset_page(queryset, ordering=ordering, cursor=cursor, size=size)
        assert len(page) <= size
        rows += page.object_list
        if page.next_cursor is None:
            return rows, page
        cursor = page.next_cursor


@pytest.mark.parametrize("size", [1, 2, 3, 7, 50])
def test_walking_forward_visits_every_row_once_in_order(world, size):
    for n in range(6):
        AgencyFactory(code=f"XX-{n}", country=world.owner.agency.country)
    everything = list(Agency.objects.order_by("-id"))
    rows, _ = _walk(Agency.objects.all(), ("-id",), size)
    assert rows == everything


def test_walking_back_from_the_last_page_returns_to_the_first(world):
    for n in range(6):
        AgencyFactory(code=f"XX-{n}", country=world.owner.agency.country)
    rows, last = _walk(Agency.objects.all(), ("id",), 2)
    back, cursor = [], last.previous_cursor
    while cursor is not None:
        page = keyset_page(Agency.objects.all(), ordering=("id",), cursor=cursor, size=2)
        back = page.object_list + back
        cursor = page.previous_cursor
    assert page.is_first
    assert back + last.object_list == rows


def test_a_composite_key_with_ties_and_a_relation_pages_without_gaps(world):
    for n in range(5):
        AgencyFactory(code=f"ZZ-{n}", country=world.partner.agency.country, kind="cert")
    ordering = ("country__code", "-kind", "-id")
    expected = list(Agency.objects.order_by(*ordering))
    for size in (1, 2, 4):
        rows, _ = _walk(Agency.objects.all(), ordering, size)
        assert rows == expected


def test_an_annotation_can_be_the_key(world):
    queryset = Agency.objects.annotate(rank=Cast(F("id") % 3, IntegerField()))
    expected = list(queryset.order_by("-rank", "id"))
    rows, _ = _walk(queryset, ("-rank", "id"), 2)
    assert rows == expected


def test_the_first_page_has_no_previous_and_the_last_no_next(world):
    page = keyset_page(Agency.objects.all(), size=100)
    assert page.is_first and page.previous_cursor is None and page.next_cursor is None


@pytest.mark.parametrize("cursor", TAMPERED)
def test_a_tampered_cursor_is_invalid(world, cursor):
    with pytest.raises(InvalidCursor):
        keyset_page(Agency.objects.all(), cursor=cursor)


def test_a_cursor_of_a_key_of_another_type_is_invalid(world):
    with pytest.raises(InvalidCursor):
        keyset_page(Agency.objects.all(), cursor=encode_cursor(["DE-BKA"]))


def test_a_page_for_a_tampered_cursor_in_the_browser_is_the_first_page(world):
    request = RequestFactory().get("/agencies/", {"cursor": "garbage", "q": "x"})
    page = page_for_request(request, Agency.objects.all(), size=2)
    assert page.is_first and page.links is not None and page.links.first is None
    assert page.links.next is not None and "q=x" in page.links.next


def test_the_browser_links_keep_the_filters_and_replace_the_cursor(world):
    request = RequestFactory().get("/agencies/", {"q": "a b", "cursor": encode_cursor([10**6])})
    page = page_for_request(request, Agency.objects.all(), size=1)
    assert page.links is not None and page.links.first == "?q=a+b"
    assert page.links.next is not None and page.links.next.count("cursor=") == 1


REST_LISTS = [
    "/api/v1/agencies/",
    "/api/v1/agencies/DE-BKA/members/",
    "/api/v1/transparency/checkpoints",
    "/api/v1/cases/",
    "/api/v1/cases/{case}/evidence/",
    "/api/v1/jits/",
    "/api/v1/notices/",
    "/api/v1/notices/?name=Smith",
    "/api/v1/notices/notifications/",
    "/api/v1/notifications/",
    "/api/v1/notifications/?unread=true",
    "/api/v1/public/notices/",
    "/api/v1/assistance-requests/",
    "/api/v1/indicators/",
    "/api/v1/deliveries/",
    "/api/v1/access-requests/",
    "/api/v1/access-requests/inbox/",
]


@pytest.mark.parametrize("url", REST_LISTS)
def test_every_rest_list_answers_a_tampered_cursor_with_400_naming_it(world, api_client_for, url):
    case = case_services.case_open(
        actor=world.owner.investigator, lead_agency=world.owner.agency, title="Keyset"
    )
    client = api_client_for(world.owner.admin, world.owner.agency)
    url = url.format(case=case.pk)
    assert client.get(url).status_code == 200
    separator = "&" if "?" in url else "?"
    for cursor in INVALID_FOR_EVERY_KEY:
        response = client.get(f"{url}{separator}cursor={cursor}")
        assert response.status_code == 400, (url, cursor, response.content)
        assert response.json() == {"cursor": ["Invalid cursor."]}


@pytest.mark.parametrize("url", ["/api/v1/cases/", "/api/v1/notices/", "/api/v1/indicators/"])
def test_an_outsider_learns_no_count_and_no_cursor_of_what_it_cannot_see(
    world, api_client_for, url
):
    for n in range(3):
        case_services.case_open(
            actor=world.owner.investigator, lead_agency=world.owner.agency, title=f"C{n}"
        )
    client = api_client_for(world.outsider.investigator, world.outsider.agency)
    assert client.get(f"{url}?limit=1").json() == {"next": None, "previous": None, "results": []}


def test_a_datetime_key_keeps_its_microseconds_across_pages(world):
    members = Membership.objects.filter(agency=world.owner.agency)
    for n, membership in enumerate(members.order_by("-id")):
        stamp = f"2026-01-01T00:00:00.000{n}00Z"  # apart by less than a millisecond
        Membership.objects.filter(pk=membership.pk).update(created_at=stamp)
    rows, _ = _walk(members, ("created_at", "id"), 1)
    assert rows == list(members.order_by("created_at"))


@pytest.mark.parametrize(
    "stamp", ["2026-01-01T00:00:00", "0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00"]
)
def test_a_datetime_key_without_offset_or_out_of_range_is_invalid(world, stamp):
    members = Membership.objects.all()
    with pytest.raises(InvalidCursor):
        keyset_page(members, ordering=("created_at", "id"), cursor=encode_cursor([stamp, 1]))


def test_going_back_onto_a_first_page_that_rows_have_left_reads_it_afresh(world):
    for n in range(6):
        AgencyFactory(code=f"XX-{n}", country=world.owner.agency.country)
    first = keyset_page(Agency.objects.all(), size=3)
    assert first.next_cursor is not None
    second = keyset_page(Agency.objects.all(), cursor=first.next_cursor, size=3)
    Agency.objects.filter(pk=first.object_list[0].pk).delete()
    assert second.previous_cursor is not None
    back = keyset_page(Agency.objects.all(), cursor=second.previous_cursor, size=3)
    assert back.is_first and back.object_list == list(Agency.objects.order_by("-id")[:3])
