"""The JIT invitations page as two tables: open invitations and current memberships of the
admin's agencies, each sorted, filtered (django-filter, its own parameters), paged, with a
total and an empty state that says what next; no agency sees another's invitations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from cases import jits
from cases.models import JITMembership, JointInvestigationTeam
from tests.paging_queries import count_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(case_world):
    """FR-OFAC (which left JIT Botnet) is invited to two more JITs, one as an observer."""
    cw = case_world
    made = []
    for name, role in (("JIT Alpha", "party"), ("JIT Zulu", "observer")):
        jit = jits.jit_create(
            actor=cw.owner.investigator,
            case=cw.case,
            name=name,
            legal_basis=JointInvestigationTeam.LegalBasis.EU_JIT,
            period_start=dt.date(2026, 1, 1),
        )
        made.append(jits.jit_invite(actor=cw.owner.investigator, jit=jit, agency=cw.former.agency))
        JITMembership.objects.filter(pk=made[-1].pk).update(role=role)
    return made


def _names(response, table: str) -> list[str]:
    return [m.jit.name for m in response.context[table].page]


def test_each_admin_sees_only_its_agencys_invitations_and_memberships(case_world, invited, client):
    seen = {}
    for side in (case_world.owner, case_world.partner, case_world.former, case_world.outsider):
        client.force_login(side.admin)
        response = client.get(reverse("cases:inbox"))
        seen[side.agency.code] = (
            sorted(_names(response, "invitations_table")),
            sorted(_names(response, "memberships_table")),
            response.context["invitations_table"].total,
        )
    assert seen["FR-OFAC"] == (["JIT Alpha", "JIT Zulu"], [], 2)
    assert seen["NL-NHTCU"] == ([], ["JIT Botnet"], 0)
    assert seen[case_world.outsider.agency.code] == ([], [], 0)
    # The owner leads all three JITs: its own memberships, never the invitations to others.
    assert seen[case_world.owner.agency.code][0] == []


def test_invitations_sort_by_jit_and_filter_by_role_with_labels(case_world, invited, client):
    client.force_login(case_world.former.admin)
    url = reverse("cases:inbox")
    assert _names(client.get(url, {"sort": "jit"}), "invitations_table") == [
        "JIT Alpha",
        "JIT Zulu",
    ]
    assert _names(client.get(url, {"sort": "-jit"}), "invitations_table") == [
        "JIT Zulu",
        "JIT Alpha",
    ]
    observers = client.get(url, {"role": "observer"})
    assert _names(observers, "invitations_table") == ["JIT Zulu"]
    html = observers.content.decode()
    assert "Observer" in html and ">observer<" not in html
    bad = client.get(url, {"role": "boss"})
    assert bad.status_code == 400
    assert "Role: “boss” is not one of the choices; it was ignored." in bad.content.decode()


def test_the_memberships_filter_on_their_own_parameters(case_world, invited, client):
    client.force_login(case_world.partner.admin)
    url = reverse("cases:inbox")
    assert _names(client.get(url, {"cur-jit": "botnet"}), "memberships_table") == ["JIT Botnet"]
    none = client.get(url, {"cur-jit": "alpha"})
    assert _names(none, "memberships_table") == []
    assert "Clear the filters" in none.content.decode()


def test_a_filter_cannot_reveal_another_agencys_invitations(case_world, invited, client):
    client.force_login(case_world.outsider.admin)
    response = client.get(reverse("cases:inbox"), {"jit": "JIT", "cur-jit": "JIT"})
    assert _names(response, "invitations_table") == [] == _names(response, "memberships_table")
    assert "JIT Alpha" not in response.content.decode()


def test_empty_tables_say_what_happens_next(case_world, client):
    client.force_login(case_world.outsider.admin)
    html = client.get(reverse("cases:inbox")).content.decode()
    assert "When a JIT&#x27;s leader invites your agency, it appears here." in html
    assert "Accept an invitation above to join one." in html


def test_the_page_reads_no_query_per_invitation(case_world, invited, client):
    client.force_login(case_world.former.admin)
    url = reverse("cases:inbox")
    one = count_queries(client, url)
    jit = jits.jit_create(
        actor=case_world.owner.investigator,
        case=case_world.case,
        name="JIT X",
        legal_basis=JointInvestigationTeam.LegalBasis.EU_JIT,
        period_start=dt.date(2026, 1, 1),
    )
    jits.jit_invite(actor=case_world.owner.investigator, jit=jit, agency=case_world.former.agency)
    assert count_queries(client, url) == one


def test_the_invitation_date_column_has_its_own_words_apart_from_the_invited_state(
    case_world, invited, client, catalogue
):
    # A translator may give the column a noun ("Date of invitation") and the state an adjective.
    catalogue("fr", {"column\x04Invited": "Date d'invitation", "Invited": "Invitée"})
    client.force_login(case_world.former.admin)
    page = client.get(reverse("cases:inbox"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    inbox = page[page.index('id="inbox"') :].split("</thead>")[0]
    assert "Date d&#x27;invitation" in inbox
    assert "Invitée" not in inbox
