"""The case page's server-side tabs and its visual timeline: each tab a short page that works
without JavaScript, the timeline in sentences with links, filterable by kind, showing only
what the viewer may see; outsiders get the same 404 on every tab."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from agencies.models import TLP
from cases import services
from cases.models import Case

TABS = ["overview", "jit", "evidence", "tasks", "notes", "timeline"]


def _timeline(client, case, **params):
    return client.get(case.get_absolute_url(), {"tab": "timeline", **params})


@pytest.mark.parametrize("tab", TABS)
def test_every_tab_answers_the_owner_and_the_partner_and_404s_the_outsider(
    case_world, client_for, tab
):
    cw = case_world
    url = cw.case.get_absolute_url()
    for side in (cw.owner, cw.partner):
        response = client_for(side.investigator).get(url, {"tab": tab})
        assert response.status_code == 200
        assert f'id="{tab}"' in response.content.decode()
        assert re.search(rf'data-tab="{tab}"\s+aria-current="page"', response.content.decode())
    for user in (cw.outsider.investigator, cw.former.investigator):
        response = client_for(user).get(url, {"tab": tab})
        assert response.status_code == 404
        assert cw.case.reference.encode() not in response.content


def test_a_tab_shows_only_its_own_section(case_world, client_for):
    html = client_for(case_world.owner.investigator).get(
        case_world.case.get_absolute_url(), {"tab": "tasks"}
    )
    body = html.content.decode()
    assert 'id="tasks"' in body and "Seize C2" in body
    assert 'id="notes"' not in body and "C2 in NL" not in body
    assert 'id="evidence-list"' not in body


def test_an_unknown_tab_or_kind_is_a_400_naming_the_parameter(case_world, client_for):
    client = client_for(case_world.owner.investigator)
    url = case_world.case.get_absolute_url()
    response = client.get(url, {"tab": "secrets"})
    assert response.status_code == 400 and response.content.startswith(b"tab:")
    response = client.get(url, {"tab": "timeline", "kind": "passwords"})
    assert response.status_code == 400 and response.content.startswith(b"kind:")
    # the outsider learns nothing from a bad parameter either
    outsider = client_for(case_world.outsider.investigator)
    assert outsider.get(url, {"tab": "secrets"}).status_code == 404


def test_adding_a_note_returns_to_the_notes_tab(case_world, client_for):
    cw = case_world
    response = client_for(cw.owner.investigator).post(
        reverse("cases:note-add", args=[cw.case.pk]), {"body": "New lead", "tlp": TLP.AMBER}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{cw.case.get_absolute_url()}?tab=notes"


def test_the_timeline_reads_as_sentences_with_links_never_as_codes(case_world, client_for):
    cw = case_world
    response = _timeline(client_for(cw.owner.investigator), cw.case)
    html = response.content.decode()
    ref = cw.case.reference
    notes_link = f'<a href="{cw.case.get_absolute_url()}?tab=notes">{ref}</a>'
    assert f"<strong>owner_investigator</strong> added a note to {notes_link}" in html
    assert f'<a href="{cw.case.get_absolute_url()}">{ref}</a>' in html  # opened
    assert f'collected the evidence <a href="{cw.evidence.get_absolute_url()}">Capture</a>' in html
    assert f'<a href="{cw.jit.get_absolute_url()}">JIT Botnet</a>' in html
    assert "<strong>NL-NHTCU</strong> joined" in html
    assert "<strong>FR-OFAC</strong> left" in html
    for code in ("note.added", "cases.note#", "evidence.added", "jit.member_", "case.opened"):
        assert code not in html
    assert 'class="timeline-day"' in html and "<time datetime=" in html


def test_the_timeline_filters_by_kind(case_world, client_for):
    cw = case_world
    client = client_for(cw.owner.investigator)
    kinds = {e.kind for _, day in _timeline(client, cw.case).context["days"] for e in day}
    assert {"case", "jit", "evidence", "task", "note"} <= kinds
    for kind in ("jit", "evidence", "note"):
        days = _timeline(client, cw.case, kind=kind).context["days"]
        assert {e.kind for _, day in days for e in day} == {kind}
    html = _timeline(client, cw.case, kind="evidence").content.decode()
    assert re.search(r'kind=evidence"[^>]*aria-current="true"', html)


def test_the_partner_timeline_leaves_out_what_the_partner_may_not_see(case_world, client_for):
    cw = case_world
    services.note_add(
        actor=cw.owner.investigator,
        case=cw.case,
        agency=cw.owner.agency,
        body="strict",
        tlp=TLP.AMBER_STRICT,
    )
    services.task_create(
        actor=cw.owner.investigator,
        case=cw.case,
        agency=cw.owner.agency,
        title="Secret raid",
        tlp=TLP.AMBER_STRICT,
    )

    def notes(user):
        days = _timeline(client_for(user), cw.case, kind="note").context["days"]
        return sum(len(day) for _, day in days)

    assert notes(cw.owner.investigator) == 2
    assert notes(cw.partner.investigator) == 1
    partner_html = _timeline(client_for(cw.partner.investigator), cw.case).content.decode()
    assert "Secret raid" not in partner_html
    owner_html = _timeline(client_for(cw.owner.investigator), cw.case).content.decode()
    assert "Secret raid" in owner_html


def test_the_overview_shows_recent_activity_in_sentences(case_world, client_for):
    cw = case_world
    html = client_for(cw.partner.investigator).get(cw.case.get_absolute_url()).content.decode()
    section = html[html.index('id="recent-activity"') :]
    assert "added a note to" in section and "note.added" not in section


def test_the_overview_names_offences_by_their_labels_not_their_codes(case_world, client_for):
    html = client_for(case_world.owner.investigator).get(case_world.case.get_absolute_url())
    overview = html.content.decode()
    assert "Illegal access (Art. 2)" in overview and "illegal_access" not in overview


def test_an_arabic_overview_lists_offences_and_tags_with_the_arabic_comma(
    case_world, client_for, catalogue
):
    catalogue("ar", {"list separator\x04, ": "، "})
    case = case_world.case
    Case.objects.filter(pk=case.pk).update(
        offence_categories=["illegal_access", "system_interference"], tags=["botnet", "ddos"]
    )
    client = client_for(case_world.owner.investigator)
    arabic = client.get(case.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="ar").content.decode()
    english = client.get(case.get_absolute_url()).content.decode()
    assert "<dd>botnet، ddos</dd>" in arabic
    assert len(re.findall(r"<dd>[^<,]+، [^<,]+</dd>", arabic)) == 2  # and the two offences
    assert "<dd>botnet, ddos</dd>" in english
    assert "<dd>Illegal access (Art. 2), System interference (Art. 5)</dd>" in english


def test_the_jit_tab_shows_member_states_in_words(case_world, client_for):
    cw = case_world
    html = client_for(cw.partner.investigator).get(cw.case.get_absolute_url(), {"tab": "jit"})
    jits_table = html.content.decode()
    assert "NL-NHTCU (accepted)" in jits_table and "FR-OFAC (left)" in jits_table


def test_the_timeline_holds_the_case_shares_and_notices_for_those_who_may_see_them(
    case_world, eu_agreement, client_for
):
    from notices import services as notice_services
    from sharing import services as sharing_services
    from tests.notices.conftest import RED_DATA
    from tests.sharing.conftest import add

    cw = case_world
    sharing_services.indicator_share(
        actor=cw.owner.investigator,
        indicators=add(cw.owner, ("ipv4", "198.51.100.60"), case=cw.case),
        spec=sharing_services.ShareSpec(agencies=[cw.partner.agency]),
    )
    notice = notice_services.notice_create(
        actor=cw.owner.investigator,
        agency=cw.owner.agency,
        notice_type="RED",
        data={**RED_DATA, "case": cw.case},
    )
    html = _timeline(client_for(cw.owner.investigator), cw.case).content.decode()
    assert "shared indicators of" in html and "<strong>NL-NHTCU</strong>" in html
    assert f'drafted <a href="/notices/{notice.pk}/">the notice</a> for' in html
    shares = _timeline(client_for(cw.owner.investigator), cw.case, kind="share")
    assert {e.kind for _, day in shares.context["days"] for e in day} == {"share"}
    # the partner sees neither whom the owner shared with nor the owner's draft notice
    partner = _timeline(client_for(cw.partner.investigator), cw.case).content.decode()
    assert "shared indicators of" not in partner and "drafted" not in partner
