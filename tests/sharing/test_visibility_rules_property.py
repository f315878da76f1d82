"""Property test: after any sequence of shares (agencies, jurisdictions, a JIT, the community,
named users), withdrawals, revocations and JIT membership changes, who sees each indicator is
exactly what the rules give — through each form of the selector (the list, the list paged
through its grant window, the id probe and the EXISTS, hashed or per row), which read the
owner's rows, the shares' audience rows and the share↔indicator links (issue 13 §1, §2).

The expected sets are computed here from the rules as written, not from the code."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from agencies.models import TLP, Jurisdiction
from cases import jits
from cases.models import JITMembership
from common.keyset import keyset_page
from sharing import ingest, selectors, services
from sharing.models import Indicator
from tests.cases.conftest import open_case
from tests.conftest import _side
from tests.sharing.conftest import add

TLPS = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]
SIDES = ["owner", "partner", "third", "outsider"]
RECIPIENTS = ["partner", "third", "NL", "EU", "jit", "community", "named"]
MEMBERS = ["partner", "third"]

steps = st.lists(
    st.one_of(
        st.tuples(
            st.just("share"),
            st.lists(st.integers(0, len(TLPS) - 1), min_size=1, max_size=3, unique=True),
            st.sampled_from(RECIPIENTS),
        ),
        st.tuples(st.just("withdraw"), st.integers(0, 5)),
        st.tuples(st.just("revoke"), st.integers(0, len(TLPS) - 1)),
        st.tuples(st.just("tlp"), st.integers(0, len(TLPS) - 1), st.sampled_from(TLPS)),
        st.tuples(st.sampled_from(["invite", "accept", "leave"]), st.sampled_from(MEMBERS)),
        st.tuples(st.just("close")),
    ),
    max_size=12,
)
_values = itertools.count()


@pytest.fixture
def sides(world, eu_agreement):
    return {
        "owner": world.owner,
        "partner": world.partner,
        "third": _side("FR-OFAC", Jurisdiction.objects.get(code="FR"), "third"),
        "outsider": world.outsider,
    }


def build(sides):
    """A JIT led by the owner, and one owner indicator per TLP (fresh values each example)."""
    owner = sides["owner"]
    case = open_case(owner)
    jit = jits.jit_create(actor=owner.investigator, case=case, name="J", legal_basis="eu_jit")
    indicators = []
    for tlp in TLPS:
        (indicator,) = add(owner, ("domain", f"p{next(_values)}.audience.example"), tlp=tlp)
        indicators.append(indicator)
    return jit, indicators


def spec(recipient, sides, jit):
    if recipient in ("partner", "third"):
        return services.ShareSpec(agencies=[sides[recipient].agency])
    if recipient in ("NL", "EU"):
        return services.ShareSpec(jurisdictions=[Jurisdiction.objects.get(code=recipient)])
    if recipient == "jit":
        return services.ShareSpec(jit=jit)
    if recipient == "community":
        return services.ShareSpec(community=True)
    return services.ShareSpec(users=[sides["partner"].analyst])


def apply(step, sides, jit, indicators, state):
    """Run one step through the services; mirror its effect in ``state`` only if it succeeded."""
    owner = sides["owner"]
    kind = step[0]
    try:
        if kind == "share":
            _, picked, recipient = step
            chosen = [
                Indicator.objects.select_related("owner").get(pk=indicators[i].pk) for i in picked
            ]
            share = services.indicator_share(
                actor=owner.investigator, indicators=chosen, spec=spec(recipient, sides, jit)
            )
            state["shares"].append({"share": share, "indicators": set(picked), "to": recipient})
        elif kind == "withdraw":
            if step[1] < len(state["shares"]):
                entry = state["shares"][step[1]]
                services.share_withdraw(actor=owner.investigator, share=entry["share"])
                entry["withdrawn"] = True
        elif kind == "tlp":  # a newer version from the owner's system (ingest)
            _, index, tlp = step
            modified = timezone.now() + dt.timedelta(seconds=next(_values))
            report = ingest.indicators_ingest(
                actor=owner.investigator,
                agency=owner.agency,
                items=[
                    {
                        "type": "domain",
                        "value": indicators[index].value,
                        "tlp": tlp,
                        "modified": modified.isoformat(),
                    }
                ],
            )
            assert not report.errors, report.errors
            state["tlp"][index] = tlp
        elif kind == "revoke":
            services.indicator_revoke(actor=owner.investigator, indicator=indicators[step[1]])
            state["revoked"].add(step[1])
        elif kind == "close":
            jits.jit_update(actor=owner.investigator, jit=jit, status=jit.Status.CLOSED)
            state["closed"] = True
        else:
            side = sides[step[1]]
            membership = JITMembership.objects.filter(jit=jit, agency=side.agency).last()
            if kind == "invite":
                jits.jit_invite(actor=owner.investigator, jit=jit, agency=side.agency)
                state["status"][step[1]] = "invited"
            elif kind == "accept" and membership is not None:
                jits.jit_respond(actor=side.admin, membership=membership, accept=True)
                state["status"][step[1]] = "accepted"
            elif kind == "leave" and membership is not None:
                jits.jit_leave(actor=side.admin, membership=membership)
                state["status"][step[1]] = "left"
    except ValidationError:
        pass  # refused (a TLP rule, a repeated withdrawal or revocation, a closed JIT…)


def reached(recipient, state):
    """The sides a (non-RED) share to ``recipient`` reaches."""
    if recipient == "jit":
        if state["closed"]:
            return set()
        return {side for side, status in state["status"].items() if status == "accepted"}
    return {
        "partner": {"partner"},
        "third": {"third"},
        "NL": {"partner"},  # third is in FR
        "EU": {"partner", "third"},  # the outsider is in IN
        "community": {"partner", "third"},  # the EU agreement's parties
        "named": set(),
    }[recipient]


def expected(sides, state, *, history=False):
    """Viewer -> the indexes of the indicators the rules let it see (``history``: TAXII's
    versions, where a revoked indicator stays with the audiences of its active shares)."""
    result = {}
    for side_name in SIDES:
        for role in ("analyst", "investigator"):
            for by_key in (False, True):
                seen = set()
                for index, tlp in state["tlp"].items():
                    active = [
                        s
                        for s in state["shares"]
                        if index in s["indicators"] and not s.get("withdrawn")
                    ]
                    if side_name == "owner":
                        seen.add(index)  # the owner always sees its own
                    elif (index in state["revoked"] and not history) or tlp == TLP.AMBER_STRICT:
                        continue  # back to the owner / never leaves it
                    elif tlp == TLP.RED:
                        named = (side_name, role) == ("partner", "analyst")
                        if named and any(s["to"] == "named" for s in active):
                            seen.add(index)
                    elif any(side_name in reached(s["to"], state) for s in active):
                        seen.add(index)
                result[(side_name, role, by_key)] = seen
    return result


def walk(user, agency):
    """Every id of the list, two a page, each page read through the grant window."""
    visible = selectors.indicators_visible_to(user=user, agency=agency)
    window = selectors.indicators_window(user=user, agency=agency)
    assert window is not None
    cursor, seen = None, []
    while True:
        page = keyset_page(visible, cursor=cursor, size=2, window=window)
        seen += [indicator.pk for indicator in page]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor


def viewers(sides):
    """Every viewer — (side, role, by key) — with the user and the key's agency (or None)."""
    for side_name in SIDES:
        side = sides[side_name]
        for role in ("analyst", "investigator"):
            for by_key in (False, True):
                user = getattr(side, role)
                yield (side_name, role, by_key), user, side.agency if by_key else None


def actual(sides, indicators, *, paged=False):
    """Viewer -> what each form of the selector answers; they must agree (the paged walk, the
    slowest, when ``paged``)."""
    ids = [i.pk for i in indicators]
    index = {pk: n for n, pk in enumerate(ids)}
    result = {}
    for viewer, user, agency in viewers(sides):
        listed = set(
            selectors.indicators_visible_to(user=user, agency=agency)
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        probed = selectors.visible_indicator_ids(user=user, agency=agency, ids=ids)
        exists = [
            set(
                Indicator.objects.filter(
                    selectors.indicator_visible_exists(
                        user=user, agency=agency, ref="pk", per_row=per_row
                    ),
                    pk__in=ids,
                ).values_list("pk", flat=True)
            )
            for per_row in (False, True)
        ]
        id_sets = _id_sets(user, agency, ids, history=False)
        walked = set(walk(user, agency)) & set(ids) if paged else listed
        assert listed == probed == exists[0] == exists[1] == id_sets == walked, viewer
        result[viewer] = {index[pk] for pk in listed}
    return result


def actual_history(sides, indicators):
    """Viewer -> what ``indicator_visible_exists(history=True)`` (TAXII's versions) answers."""
    ids = [i.pk for i in indicators]
    index = {pk: n for n, pk in enumerate(ids)}
    result = {}
    for viewer, user, agency in viewers(sides):
        by_key = viewer[2]
        seen = Indicator.objects.filter(
            selectors.indicator_visible_exists(
                user=user, agency=agency, ref="pk", per_row=by_key, history=True
            ),
            pk__in=ids,
        ).values_list("pk", flat=True)
        assert set(seen) == _id_sets(user, agency, ids, history=True), viewer
        result[viewer] = {index[pk] for pk in seen}
    return result


def _id_sets(user, agency, ids, *, history):
    """What ``indicator_visible_id_sets`` (TAXII's and the export's form) answers of ``ids``."""
    sets = selectors.indicator_visible_id_sets(user=user, agency=agency, history=history)
    return {pk for qs in sets for row in qs for pk in row.values()} & set(ids)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sequence=steps)
# The paths that matter most, always tried: the indicator's state decides what passes through
# its shares (revoked, AMBER+STRICT, RED to named users only), and the JIT circle changes.
@example(sequence=[("share", [2], "partner"), ("revoke", 2), ("share", [1], "EU")])
@example(sequence=[("share", [0, 1], "community"), ("tlp", 1, TLP.AMBER_STRICT)])
@example(sequence=[("share", [2], "NL"), ("tlp", 2, TLP.RED), ("tlp", 2, TLP.GREEN)])
@example(sequence=[("share", [4], "named"), ("tlp", 4, TLP.AMBER), ("tlp", 4, TLP.RED)])
@example(sequence=[("share", [4], "named"), ("withdraw", 0), ("share", [4], "named")])
@example(
    sequence=[
        ("invite", "partner"),
        ("accept", "partner"),
        ("share", [1, 2], "jit"),
        ("invite", "third"),
        ("accept", "third"),
        ("leave", "partner"),
        ("close",),
    ]
)
def test_indicator_visibility_always_matches_the_rules(sides, sequence):
    jit, indicators = build(sides)
    state = {
        "shares": [],
        "revoked": set(),
        "closed": False,
        "status": {"partner": None, "third": None},
        "tlp": dict(enumerate(TLPS)),
    }
    assert actual(sides, indicators) == expected(sides, state)
    for number, step in enumerate(sequence, start=1):
        apply(step, sides, jit, indicators, state)
        last = number == len(sequence)
        assert actual(sides, indicators, paged=last) == expected(sides, state), (step, state)
        history = expected(sides, state, history=True)
        assert actual_history(sides, indicators) == history, (step, state)
