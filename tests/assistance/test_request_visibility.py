"""Who sees a request: the requester always, the addressee from "sent" on, the JIT only when
the requester shares it, nobody else."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from assistance import selectors, services
from cases.selectors import evidence_visible_to
from tests.assistance.conftest import add_jit, draft, produce, sent


def visible(user, **kwargs):
    return set(selectors.requests_visible_to(user=user, **kwargs).values_list("pk", flat=True))


def test_a_draft_is_seen_by_the_requesting_agency_only(aw):
    request = draft(aw)
    assert request.pk in visible(aw.owner.investigator)
    assert request.pk in visible(aw.owner.analyst)
    assert request.pk not in visible(aw.liaison)
    assert request.pk not in visible(aw.outsider.investigator)


def test_the_addressee_sees_it_from_sent_on_and_outsiders_never(aw):
    request = sent(aw)
    assert request.pk in visible(aw.liaison)
    assert request.pk not in visible(aw.outsider.admin)
    assert request.pk not in visible(aw.partner.investigator)
    with pytest.raises(Http404):
        selectors.access_request(user=aw.outsider.investigator, pk=request.pk)
    with pytest.raises(Http404):
        selectors.access_request(user=aw.outsider.investigator, pk=request.pk + 1000)


def test_a_jit_member_sees_a_request_only_if_the_requester_shares_it(aw):
    add_jit(aw)
    kept = sent(aw)
    shared = sent(aw, shared_with_jit=True)
    assert visible(aw.partner.investigator) == {shared.pk}
    assert visible(aw.owner.investigator) == {kept.pk, shared.pk}


def test_sharing_needs_a_jit(aw):
    with pytest.raises(ValidationError, match="The case has no JIT to share this request with"):
        draft(aw, shared_with_jit=True)


def test_produced_evidence_stays_with_the_requester_unless_shared(aw):
    add_jit(aw)
    kept = produce(aw, sent(aw)).evidence
    shared = produce(aw, sent(aw, shared_with_jit=True)).evidence
    assert set(evidence_visible_to(user=aw.owner.investigator)) >= {kept, shared}
    assert set(evidence_visible_to(user=aw.partner.investigator)) == {shared}
    assert set(evidence_visible_to(user=aw.liaison)) == set()


def test_the_inbox_holds_the_requests_addressed_to_the_agency(aw):
    outgoing = sent(aw)
    assert list(selectors.inbox_for(user=aw.liaison)) == [outgoing]
    assert list(selectors.inbox_for(user=aw.owner.investigator)) == []
    assert list(selectors.inbox_for(user=aw.liaison, kind="production")) == []
    services.request_acknowledge(actor=aw.liaison, request=outgoing)
    assert list(selectors.inbox_for(user=aw.liaison, status="acknowledged")) == [outgoing]
