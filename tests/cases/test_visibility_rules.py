"""The visibility rules, one by one: lead edits, JIT members see, TLP limits, leaving ends it."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError

from agencies.models import TLP, Membership
from agencies.services import membership_update
from cases import jits, selectors, services
from cases.checks import NAMED_USER_OUTSIDE
from cases.jits import JIT_CLOSED
from cases.models import CaseGroupObjectPermission
from tests.cases.conftest import add_evidence

pytestmark = pytest.mark.django_db


pytestmark = pytest.mark.django_db


def sees(selector, side, obj) -> bool:
    return selector(user=side.investigator).filter(pk=obj.pk).exists()


def test_the_lead_edits_and_the_partner_only_sees(case_world):
    cw = case_world
    assert selectors.can_change_case(user=cw.owner.investigator, case=cw.case)
    assert not selectors.can_change_case(user=cw.partner.investigator, case=cw.case)
    assert sees(selectors.cases_visible_to, cw.partner, cw.case)


def test_permission_rows_go_to_agency_groups(case_world):
    groups = set(
        CaseGroupObjectPermission.objects.filter(content_object=case_world.case).values_list(
            "group__name", "permission__codename"
        )
    )
    assert groups == {
        ("agency:DE-BKA", "view_case"),
        ("agency:DE-BKA", "change_case"),
        ("agency:NL-NHTCU", "view_case"),
    }


def test_amber_strict_stays_with_owning_agency(case_world):
    cw = case_world
    mine = add_evidence(cw.case, cw.owner, tlp=TLP.AMBER_STRICT)
    theirs = add_evidence(cw.case, cw.partner, tlp=TLP.AMBER_STRICT)
    assert sees(selectors.evidence_visible_to, cw.owner, mine)
    assert not sees(selectors.evidence_visible_to, cw.partner, mine)
    assert sees(selectors.evidence_visible_to, cw.partner, theirs)
    assert not sees(selectors.evidence_visible_to, cw.owner, theirs)
    services.case_update(actor=cw.owner.investigator, case=cw.case, tlp=TLP.AMBER_STRICT)
    assert not sees(selectors.cases_visible_to, cw.partner, cw.case)
    assert not sees(selectors.notes_visible_to, cw.partner, cw.note)


def test_red_goes_only_to_named_users(case_world):
    cw = case_world
    note = services.note_add(
        actor=cw.owner.investigator,
        case=cw.case,
        agency=cw.owner.agency,
        body="red",
        tlp=TLP.RED,
        named_users=[cw.partner.analyst],
    )
    visible = lambda user: selectors.notes_visible_to(user=user).filter(pk=note.pk).exists()  # noqa: E731
    assert visible(cw.partner.analyst) and visible(cw.owner.investigator)  # named + author
    assert not visible(cw.partner.investigator) and not visible(cw.owner.analyst)
    assert not visible(cw.owner.admin)
    # a named partner analyst loses it when the partner leaves the JIT
    jits.jit_leave(
        actor=cw.partner.admin, membership=cw.jit.memberships.get(agency=cw.partner.agency)
    )
    assert not visible(cw.partner.analyst)


def test_red_named_user_must_take_part(case_world):
    cw = case_world
    outside = NAMED_USER_OUTSIDE.format(user=cw.outsider.analyst.username)
    with pytest.raises(ValidationError, match=re.escape(outside)) as excinfo:
        services.note_add(
            actor=cw.owner.investigator,
            case=cw.case,
            agency=cw.owner.agency,
            body="red",
            tlp=TLP.RED,
            named_users=[cw.outsider.analyst],
        )
    assert "named_users" in excinfo.value.message_dict
    assert not cw.case.notes.filter(body="red").exists()


def test_a_red_case_is_seen_by_its_named_users_only(case_world):
    cw = case_world
    services.case_update(
        actor=cw.owner.admin, case=cw.case, tlp=TLP.RED, named_users=[cw.partner.analyst]
    )
    assert selectors.cases_visible_to(user=cw.partner.analyst).filter(pk=cw.case.pk).exists()
    assert selectors.cases_visible_to(user=cw.owner.admin).filter(pk=cw.case.pk).exists()
    assert not sees(selectors.cases_visible_to, cw.owner, cw.case)
    assert not sees(selectors.cases_visible_to, cw.partner, cw.case)


def test_left_and_declined_lose_access_at_once(case_world):
    cw = case_world
    assert sees(selectors.tasks_visible_to, cw.partner, cw.task)
    jits.jit_leave(
        actor=cw.partner.admin, membership=cw.jit.memberships.get(agency=cw.partner.agency)
    )
    for selector, obj in (
        (selectors.cases_visible_to, cw.case),
        (selectors.evidence_visible_to, cw.evidence),
        (selectors.tasks_visible_to, cw.task),
        (selectors.notes_visible_to, cw.note),
    ):
        assert not sees(selector, cw.partner, obj)
    assert not sees(selectors.cases_visible_to, cw.former, cw.case)


def test_member_keeps_its_own_items_after_leaving(case_world):
    cw = case_world
    own = add_evidence(cw.case, cw.partner)
    jits.jit_leave(
        actor=cw.partner.admin, membership=cw.jit.memberships.get(agency=cw.partner.agency)
    )
    assert sees(selectors.evidence_visible_to, cw.partner, own)
    assert not sees(selectors.cases_visible_to, cw.partner, cw.case)
    assert sees(selectors.evidence_visible_to, cw.owner, own)


def test_closing_the_jit_ends_membership_access(case_world):
    cw = case_world
    jits.jit_update(actor=cw.owner.investigator, jit=cw.jit, status="closed")
    assert not sees(selectors.cases_visible_to, cw.partner, cw.case)
    assert sees(selectors.cases_visible_to, cw.owner, cw.case)
    with pytest.raises(ValidationError, match=re.escape(JIT_CLOSED)):
        jits.jit_invite(actor=cw.owner.investigator, jit=cw.jit, agency=cw.former.agency)


def test_suspended_user_sees_nothing(case_world):
    cw = case_world
    membership = Membership.objects.get(user=cw.partner.investigator, agency=cw.partner.agency)
    membership_update(actor=None, membership=membership, status="suspended")
    assert not sees(selectors.cases_visible_to, cw.partner, cw.case)


def test_the_jit_selectors_sharing_relies_on(case_world):
    cw = case_world
    assert set(selectors.jit_accepted_agencies(cw.jit).values_list("code", flat=True)) == {
        "DE-BKA",
        "NL-NHTCU",
    }
    assert list(selectors.jits_visible_to(user=cw.partner.investigator)) == [cw.jit]
    assert list(selectors.jits_visible_to(user=cw.former.investigator)) == []
    assert (
        list(selectors.jits_visible_to(user=cw.partner.investigator, agency=cw.outsider.agency))
        == []
    )
