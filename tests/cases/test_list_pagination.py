"""Case lists page by keyset, newest first: each visible case, evidence item, JIT and timeline
event exactly once, filters kept across pages, no count, the same queries on every page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from agencies.models import TLP
from cases import jits, services
from cases.models import Case, Evidence, JointInvestigationTeam
from tests.cases.conftest import add_evidence, join, open_case
from tests.common.test_keyset import TAMPERED
from tests.paging import walk_api, walk_html

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(world):
    """Seven owner cases, the odd ones in a JIT with the partner; one AMBER+STRICT; one
    case of the outsider's."""
    made = []
    for n in range(7):
        tlp = TLP.AMBER_STRICT if n == 4 else TLP.AMBER
        case = open_case(world.owner, title=f"Case {n}", tlp=tlp, tags=["even" if n % 2 else "odd"])
        if n % 2:
            jit = jits.jit_create(
                actor=world.owner.investigator, case=case, name=f"J{n}", legal_basis="eu_jit"
            )
            join(jit, world.owner, world.partner)
        made.append(case)
    open_case(world.outsider, title="Elsewhere")
    return made


def _ids(queryset) -> list[int]:
    return list(queryset.order_by("-id").values_list("pk", flat=True))


def test_the_api_case_list_walks_every_visible_case_once_newest_first(world, cases, api_client_for):
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    assert walk_api(owner, "/api/v1/cases/") == [c.pk for c in reversed(cases)]
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    assert walk_api(partner, "/api/v1/cases/", limit=1) == [cases[5].pk, cases[3].pk, cases[1].pk]


def test_the_api_case_list_keeps_its_filters_across_pages(world, cases, api_client_for):
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    expected = [c.pk for c in reversed(cases) if "odd" in c.tags]
    assert walk_api(owner, "/api/v1/cases/?tag=odd&q=Case") == expected


def test_an_api_cursor_that_is_not_an_id_is_400(world, cases, api_client_for):
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    response = owner.get("/api/v1/cases/", {"cursor": TAMPERED[8]})
    assert response.status_code == 400 and list(response.json()) == ["cursor"]


def test_evidence_and_jits_walk_once_each(world, cases, api_client_for, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    case = cases[1]
    for n in range(5):
        add_evidence(case, world.owner, content=f"item {n}".encode(), title=f"E{n}")
    add_evidence(case, world.owner, content=b"strict", tlp=TLP.AMBER_STRICT)
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    url = f"/api/v1/cases/{case.pk}/evidence/"
    shared = Evidence.objects.filter(case=case).exclude(tlp=TLP.AMBER_STRICT)
    assert walk_api(partner, url) == _ids(shared)
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    assert walk_api(owner, url, limit=4) == _ids(Evidence.objects.filter(case=case))
    assert walk_api(partner, "/api/v1/jits/") == _ids(JointInvestigationTeam.objects.all())


def test_the_case_list_page_walks_every_visible_case_once_with_its_filters(
    world, cases, client, monkeypatch
):
    monkeypatch.setattr("cases.views.PAGE_SIZE", 2)
    client.force_login(world.owner.investigator)
    assert walk_html(client, reverse("cases:list")) == list(reversed(cases))
    odd = [c for c in reversed(cases) if "odd" in c.tags]
    assert walk_html(client, reverse("cases:list") + "?tag=odd") == odd
    client.force_login(world.partner.investigator)
    assert walk_html(client, reverse("cases:list")) == [cases[5], cases[3], cases[1]]


def test_the_case_list_page_has_no_page_count_and_links_first_previous_next_and_last(
    world, cases, client, monkeypatch
):
    monkeypatch.setattr("cases.views.PAGE_SIZE", 3)
    client.force_login(world.owner.investigator)
    first = client.get(reverse("cases:list"))
    body = first.content.decode()
    assert 'rel="next"' in body and 'rel="last"' in body
    assert 'rel="first"' not in body and "Page 1" not in body
    second = client.get(reverse("cases:list") + first.context["page"].links.next)
    assert 'rel="first"' in second.content.decode() and 'rel="prev"' in second.content.decode()


@pytest.mark.parametrize("cursor", TAMPERED)
def test_a_tampered_cursor_on_the_case_list_page_shows_the_first_page(world, cases, client, cursor):
    client.force_login(world.owner.investigator)
    response = client.get(reverse("cases:list"), {"cursor": cursor})
    assert response.status_code == 200
    assert response.context["page"].is_first
    assert response.context["page"].object_list[0] == cases[-1]


def test_the_timeline_walks_every_event_once(world, cases, client, monkeypatch):
    monkeypatch.setattr("cases.views.TIMELINE_PAGE_SIZE", 2)
    case = cases[0]
    for n in range(4):
        services.note_add(
            actor=world.owner.investigator, case=case, agency=world.owner.agency, body=f"N{n}"
        )
    client.force_login(world.owner.investigator)
    url = reverse("cases:timeline", args=[case.pk])
    events = walk_html(client, url)
    assert len(events) >= 5
    assert [e.pk for e in events] == sorted((e.pk for e in events), reverse=True)
    assert set(walk_html(client, url + "?views=1")) >= set(events)


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_first_and_later_pages_of_the_case_list_cost_the_same_queries(
    world, cases, client, api_client_for, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr("cases.views.PAGE_SIZE", 2)
    client.force_login(world.partner.investigator)
    first = client.get(reverse("cases:list"))
    few = _queries(lambda: client.get(reverse("cases:list")))
    with django_assert_num_queries(few):
        client.get(reverse("cases:list") + first.context["page"].links.next)
    api = api_client_for(world.partner.investigator, world.partner.agency)
    api.get("/api/v1/me/")  # a key's first use records last_used_at
    page = api.get("/api/v1/cases/?limit=1").json()
    few = _queries(lambda: api.get("/api/v1/cases/?limit=1"))
    with django_assert_num_queries(few):
        api.get(page["next"])
    with django_assert_num_queries(few):
        api.get("/api/v1/cases/?limit=50")


def test_cases_opened_while_paging_neither_repeat_nor_skip_a_case(world, cases, api_client_for):
    owner = api_client_for(world.owner.investigator, world.owner.agency)
    first = owner.get("/api/v1/cases/?limit=3").json()
    open_case(world.owner, title="Newer than the cursor")
    rest = []
    url = first["next"]
    while url:
        body = owner.get(url).json()
        rest += [c["id"] for c in body["results"]]
        url = body["next"]
    seen = [c["id"] for c in first["results"]] + rest
    assert seen == [c.pk for c in reversed(cases)]
    assert Case.objects.count() == len(cases) + 2


def test_a_jits_members_walk_once_each_for_its_members_and_are_invisible_to_outsiders(
    world, cases, api_client_for
):
    jit = JointInvestigationTeam.objects.get(case=cases[1])
    url = f"/api/v1/jits/{jit.pk}/members/"
    members = [m.agency.code for m in jit.memberships.order_by("-pk")]
    assert len(members) >= 2  # the leader and the partner
    partner = api_client_for(world.partner.investigator, world.partner.agency)
    assert walk_api(partner, url, limit=1, key="agency") == members
    outsider = api_client_for(world.outsider.investigator, world.outsider.agency)
    assert outsider.get(url).status_code == 404


def test_the_case_pages_evidence_tasks_and_notes_page_apart(world, cases, client, monkeypatch):
    monkeypatch.setattr("cases.views.PAGE_SIZE", 2)
    case = cases[0]
    for n in range(3):
        services.note_add(
            actor=world.owner.investigator, case=case, agency=world.owner.agency, body=f"N{n}"
        )
    client.force_login(world.owner.investigator)
    base = reverse("cases:detail", args=[case.pk])
    url = f"{base}?tab=notes"
    notes = walk_html(client, url, page="notes")
    assert [n.body for n in notes] == ["N2", "N1", "N0"]
    # The notes' next link stays on the notes tab; the other tabs ignore the notes' cursor.
    older_link = client.get(url).context["notes"].links.next
    assert "tab=notes" in older_link
    older = client.get(base + older_link)
    assert [n.body for n in older.context["notes"]] == ["N0"]
    for tab in ("tasks", "evidence"):
        other = client.get(base + older_link.replace("tab=notes", f"tab={tab}"))
        assert other.context[tab].is_first
    client.force_login(world.partner.investigator)
    assert client.get(url).status_code == 404  # not in this case's circle
