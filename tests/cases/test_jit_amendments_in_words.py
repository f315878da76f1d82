"""The JIT page's amendment history in words: "Legal basis: — → EU JIT – …", dates and
states as values, a membership's role by its label, never the stored dict or codes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format

from cases import jits
from cases.models import JITAmendment, JointInvestigationTeam

pytestmark = pytest.mark.django_db


@pytest.fixture
def amended(case_world):
    cw = case_world
    jit = jits.jit_create(
        actor=cw.owner.investigator,
        case=cw.case,
        name="JIT Ransom",
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 6, 30),
    )
    jits.jit_update(
        actor=cw.owner.investigator,
        jit=jit,
        legal_basis=JointInvestigationTeam.LegalBasis.EU_JIT,
        period_end=dt.date(2026, 12, 31),
    )
    jits.jit_invite(actor=cw.owner.investigator, jit=jit, agency=cw.partner.agency)
    return jit


def test_the_amendment_history_reads_as_words(case_world, amended, client):
    client.force_login(case_world.owner.investigator)
    html = client.get(reverse("cases:jit-detail", args=[amended.pk])).content.decode()
    history = html[html.index('id="amendments"') :]
    label = JointInvestigationTeam.LegalBasis.EU_JIT.label
    assert f"Legal basis: — → {label}" in history
    with translation.override("en-gb"):
        before, after = (
            date_format(dt.date(2026, m, d), "SHORT_DATE_FORMAT") for m, d in ((6, 30), (12, 31))
        )
    assert f"Period end: {before} → {after}" in history and "2026-06-30" not in history
    assert "Role: Party" in history
    for code in ("eu_jit", "{&#x27;", "[&#x27;", "&#x27;role&#x27;"):
        assert code not in history


def test_the_invited_partner_sees_the_same_words_and_the_outsider_nothing(
    case_world, amended, client
):
    url = reverse("cases:jit-detail", args=[amended.pk])
    client.force_login(case_world.partner.admin)
    assert "Legal basis: — → " in client.get(url).content.decode()
    client.force_login(case_world.outsider.admin)
    response = client.get(url)
    assert response.status_code == 404 and b"Legal basis" not in response.content


def test_a_list_of_seconded_members_is_joined_with_the_readers_list_separator(catalogue):
    catalogue("ar", {"list separator\x04, ": "، "})
    amendment = JITAmendment(changes={"seconded_members": ["alice", "bob"]})
    with translation.override("ar"):
        (line,) = amendment.changes_in_words
    assert line.endswith("alice، bob")
    with translation.override("en"):
        assert amendment.changes_in_words[0].endswith("alice, bob")
