"""Property test: after any sequence of JIT invites / accepts / declines / leaves and TLP changes,
the agencies (and named users) that can see each object are exactly those the rules give.

The expected sets are computed here from the rules as written in the issue, not from the code."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import TLP, Jurisdiction
from cases import evidence as evidence_services
from cases import jits, selectors, services
from cases.models import JITMembership
from common.keyset import keyset_page
from tests.conftest import _side

TLPS = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]
OTHERS = ["partner", "third", "outsider"]
OBJECTS = ["case", "ev_owner", "ev_partner", "task", "note"]

steps = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["invite", "accept", "decline", "leave"]), st.sampled_from(OTHERS)
        ),
        st.tuples(st.just("tlp"), st.sampled_from(OBJECTS), st.sampled_from(TLPS)),
    ),
    max_size=10,
)


@pytest.fixture
def sides(world, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return {
        "owner": world.owner,
        "partner": world.partner,
        "third": _side("FR-OFAC", Jurisdiction.objects.get(code="FR"), "third"),
        "outsider": world.outsider,
    }


def build(sides):
    owner, partner = sides["owner"], sides["partner"]
    case = services.case_open(actor=owner.admin, lead_agency=owner.agency, title="p", tlp=TLP.AMBER)
    jit = jits.jit_create(
        actor=owner.admin,
        case=case,
        name="j",
        legal_basis="other",
        legal_basis_text="Ad hoc MLA arrangement",
    )
    membership = jits.jit_invite(actor=owner.admin, jit=jit, agency=partner.agency)
    jits.jit_respond(actor=partner.admin, membership=membership, accept=True)
    named = [owner.analyst, partner.analyst]

    def evidence(side, tlp):
        return evidence_services.evidence_add(
            actor=side.admin,
            case=case,
            agency=side.agency,
            file=SimpleUploadedFile("f", b"x"),
            title="e",
            collected_by="c",
            collected_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            collected_where="w",
            tlp=tlp,
            named_users=named,
        )

    objects = {
        "case": case,
        "ev_owner": evidence(owner, TLP.AMBER),
        "ev_partner": evidence(partner, TLP.GREEN),
        "task": services.task_create(
            actor=owner.admin,
            case=case,
            agency=owner.agency,
            title="t",
            tlp=TLP.AMBER,
            named_users=named,
        ),
        "note": services.note_add(
            actor=partner.admin,
            case=case,
            agency=partner.agency,
            body="n",
            tlp=TLP.AMBER,
            named_users=named,
        ),
    }
    services.case_update(actor=owner.admin, case=case, named_users=named)
    owners = {
        "case": "owner",
        "ev_owner": "owner",
        "ev_partner": "partner",
        "task": "owner",
        "note": "partner",
    }
    return jit, objects, owners


def apply(step, sides, jit, objects, owners, state):
    """Run one step through the services; mirror its effect in ``state`` only if it succeeded."""
    kind = step[0]
    try:
        if kind == "tlp":
            _, name, tlp = step
            obj = objects[name]
            actor = sides[owners[name]].admin
            update = {
                "case": services.case_update,
                "ev_owner": evidence_services.evidence_update,
                "ev_partner": evidence_services.evidence_update,
                "task": services.task_update,
                "note": services.note_update,
            }[name]
            key = {"case": "case", "task": "task", "note": "note"}.get(name, "evidence")
            objects[name] = update(actor=actor, **{key: obj}, tlp=tlp)
            state["tlp"][name] = tlp
            return
        side = sides[step[1]]
        membership = JITMembership.objects.filter(jit=jit, agency=side.agency).first()
        if kind == "invite":
            jits.jit_invite(actor=sides["owner"].admin, jit=jit, agency=side.agency)
            state["status"][step[1]] = "invited"
        elif kind in ("accept", "decline") and membership is not None:
            jits.jit_respond(actor=side.admin, membership=membership, accept=kind == "accept")
            state["status"][step[1]] = "accepted" if kind == "accept" else "declined"
        elif kind == "leave" and membership is not None:
            jits.jit_leave(actor=side.admin, membership=membership)
            state["status"][step[1]] = "left"
    except ValidationError:
        pass  # refused transitions (e.g. accepting twice) must change nothing


def expected(state, owners):
    """The rules: who sees each object (agencies through their groups, and named analysts)."""
    circle = {"owner"} | {a for a, s in state["status"].items() if s == "accepted"}
    named = {"owner", "partner"}  # agencies of the named analysts
    tlp = state["tlp"]

    def case_agencies():
        if tlp["case"] == TLP.RED:
            return set()
        if tlp["case"] == TLP.AMBER_STRICT:
            return {"owner"}
        return set(circle)

    result = {}
    for name, owner in owners.items():
        if name == "case":
            agencies = case_agencies()
            analysts = agencies | (named & circle if tlp["case"] == TLP.RED else set())
        elif tlp[name] == TLP.RED:
            agencies = set()
            analysts = named & (circle | {owner})
        elif tlp[name] == TLP.AMBER_STRICT:
            agencies = {owner}
            analysts = {owner}
        else:
            agencies = case_agencies() | {owner}
            analysts = agencies | (named & circle if tlp["case"] == TLP.RED else set())
        result[name] = (agencies, analysts)
    return result


def actual(sides, objects):
    """Who sees what, asked through the selectors: one query per (user, object kind)."""
    selector = {
        "case": selectors.cases_visible_to,
        "ev_owner": selectors.evidence_visible_to,
        "ev_partner": selectors.evidence_visible_to,
        "task": selectors.tasks_visible_to,
        "note": selectors.notes_visible_to,
    }
    kinds: dict = {}
    for name, obj in objects.items():
        kinds.setdefault(selector[name], {})[obj.pk] = name
    result = {name: (set(), set()) for name in objects}
    for key, side in sides.items():
        for slot, user, agency in ((0, side.investigator, side.agency), (1, side.analyst, None)):
            for select, names in kinds.items():
                visible = select(user=user, agency=agency).filter(pk__in=list(names))
                for pk in visible.values_list("pk", flat=True):
                    result[names[pk]][slot].add(key)
            # The case list's page, read through its grant window, agrees.
            window = selectors.cases_window(user=user, agency=agency)
            page = keyset_page(
                selectors.cases_visible_to(user=user, agency=agency), window=window, size=1000
            )
            listed = {"case"} & {kinds[selectors.cases_visible_to].get(c.pk) for c in page}
            assert listed == ({"case"} if key in result["case"][slot] else set()), (key, slot)
    return result


@pytest.mark.django_db
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=steps)
def test_visibility_always_matches_the_rules(sides, sequence):
    jit, objects, owners = build(sides)
    state = {
        "status": {"partner": "accepted", "third": None, "outsider": None},
        "tlp": {
            "case": TLP.AMBER,
            "ev_owner": TLP.AMBER,
            "ev_partner": TLP.GREEN,
            "task": TLP.AMBER,
            "note": TLP.AMBER,
        },
    }
    assert actual(sides, objects) == expected(state, owners)
    for step in sequence:
        apply(step, sides, jit, objects, owners, state)
        assert actual(sides, objects) == expected(state, owners), (step, state)
