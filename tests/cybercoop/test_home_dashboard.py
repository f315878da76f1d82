"""The home dashboard: tiles of the member's agency counted through the apps' selectors (a
partner never counts what it may not see), each linking to its filtered list, an agency
chooser, a deliveries chart for admins, and a bounded number of queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies import services as agency_services
from agencies.models import TLP, Jurisdiction
from cases import jits
from cases.models import Case
from sharing import services as sharing_services
from sharing.models import Delivery
from tests.cases.conftest import open_case
from tests.conftest import _side
from tests.sharing.conftest import add


def _tile(response, key):
    return next(t for t in response.context["tiles"] if t.key == key)


def _line(response, key, label):
    return next(line for line in _tile(response, key).lines if str(line.label) == label)


def test_open_cases_are_counted_for_each_agency_as_it_sees_them(case_world, client_for):
    cw = case_world
    # an AMBER+STRICT case of the owner the JIT partner may not see
    open_case(cw.owner, title="Internal", tlp=TLP.AMBER_STRICT)
    counts = {}
    for name, side in (("owner", cw.owner), ("partner", cw.partner), ("outsider", cw.outsider)):
        response = client_for(side.investigator).get("/")
        counts[name] = _line(response, "cases", "Open").count
    assert counts == {"owner": 2, "partner": 1, "outsider": 0}
    assert Case.objects.filter(status=Case.Status.OPEN).count() == 2


def test_every_tile_line_links_to_its_filtered_list(case_world, client_for):
    response = client_for(case_world.owner.admin).get("/")
    assert _line(response, "cases", "Open").url == "/cases/?status=open"
    assert _line(response, "notices", "Under review").url == "/notices/?status=under_review"
    assert _line(response, "assistance", "Overdue").url == "/assistance/?overdue=true"
    html = response.content.decode()
    assert 'href="/cases/?status=open"' in html
    for key in ("cases", "waiting", "assistance", "notices", "correlation", "sharing"):
        assert f'data-tile="{key}"' in html


def test_jit_invitations_wait_for_the_invited_agencys_admin_only(case_world, client_for):
    cw = case_world
    invited = _side("FR-GN", Jurisdiction.objects.get(code="FR"), "invited")
    jits.jit_invite(actor=cw.owner.investigator, jit=cw.jit, agency=invited.agency)
    label = "JIT invitations to answer"
    assert _line(client_for(invited.admin).get("/"), "waiting", label).count == 1
    for other_admin in (cw.partner.admin, cw.outsider.admin, cw.owner.admin):
        assert _line(client_for(other_admin).get("/"), "waiting", label).count == 0
    lines = _tile(client_for(invited.investigator).get("/"), "waiting").lines
    assert label not in [str(line.label) for line in lines]


def test_correlation_hits_count_my_indicators_another_agency_also_holds(
    world, eu_agreement, client_for
):
    add(world.owner, ("ipv4", "198.51.100.7"), ("ipv4", "198.51.100.8"))
    add(world.partner, ("ipv4", "198.51.100.7"))
    hits = {
        name: _line(
            client_for(side.investigator).get("/"),
            "correlation",
            "Of your indicators, already held by another agency",
        ).count
        for name, side in (
            ("owner", world.owner),
            ("partner", world.partner),
            ("outsider", world.outsider),
        )
    }
    # A match is learnt by the agency whose new indicator hit an existing one (the partner,
    # as on the correlations page), never by the first holder nor anyone else.
    assert hits == {"owner": 0, "partner": 1, "outsider": 0}


def _share_to_partner_endpoint(world, value):
    sharing_services.indicator_share(
        actor=world.owner.investigator,
        indicators=add(world.owner, ("ipv4", value)),
        spec=sharing_services.ShareSpec(agencies=[world.partner.agency]),
    )


@pytest.fixture
def endpoint(world, settings):
    settings.SHARING_ENDPOINT_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    endpoint, _ = sharing_services.endpoint_create(
        actor=world.partner.admin,
        agency=world.partner.agency,
        name="NL SOC",
        url="http://127.0.0.1:9/",
    )
    return endpoint


def test_the_deliveries_chart_is_for_the_agencys_admins(world, eu_agreement, endpoint, client_for):
    _share_to_partner_endpoint(world, "198.51.100.20")
    Delivery.objects.filter(endpoint=endpoint).update(status=Delivery.Status.DEAD)
    admin = client_for(world.partner.admin).get("/")
    chart = admin.context["sharing"]["chart"]
    assert chart["total"] == 1
    dead = next(s for s in chart["spec"]["datasets"] if s["label"] == "Dead")
    assert dead["data"][-1] == 1 and dead["tone"] == "bad"
    html = admin.content.decode()
    assert 'data-chart="deliveries-chart"' in html and "chart.umd.min.js" in html
    assert 'id="deliveries-chart" type="application/json"' in html
    investigator = client_for(world.partner.investigator).get("/")
    assert investigator.context["sharing"]["chart"] is None
    assert "deliveries-chart" not in investigator.content.decode()
    for admin_elsewhere in (world.owner.admin, world.outsider.admin):  # their own endpoints
        assert client_for(admin_elsewhere).get("/").context["sharing"]["chart"]["total"] == 0
    # the owner made the share: it counts the share, not the partner's deliveries
    assert client_for(world.owner.investigator).get("/").context["sharing"]["shares"] == 1
    assert client_for(world.partner.investigator).get("/").context["sharing"]["shares"] == 0


def test_a_member_of_several_agencies_chooses_the_agency(case_world, client_for):
    cw = case_world
    agency_services.membership_set(
        actor=None, agency=cw.outsider.agency, user=cw.owner.investigator, role="investigator"
    )
    client = client_for(cw.owner.investigator)
    first = client.get("/")
    assert first.context["current"].agency == cw.owner.agency
    assert _line(first, "cases", "Open").count == 1
    assert 'id="dashboard-agency"' in first.content.decode()
    chosen = client.get("/", {"agency": cw.outsider.agency.code})
    assert chosen.context["current"].agency == cw.outsider.agency
    assert _line(chosen, "cases", "Open").count == 0  # IN-CBI takes no part in the case
    # an agency one is not in answers like one that does not exist
    assert client.get("/", {"agency": cw.partner.agency.code}).status_code == 404
    assert client.get("/", {"agency": "ZZ-NOPE"}).status_code == 404


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/").status_code == 200
    return len(captured)


def test_the_dashboard_runs_a_bounded_number_of_queries_whatever_the_data(
    case_world, eu_agreement, endpoint, client_for
):
    cw = case_world
    client = client_for(cw.partner.admin)
    _share_to_partner_endpoint(cw.world, "198.51.100.30")
    _queries(client)  # warms the per-process permission cache
    few = _queries(client)
    for n in range(5):
        case = open_case(cw.partner, title=f"Case {n}")
        case.status = [Case.Status.ACTIVE, Case.Status.SUSPENDED][n % 2]
        case.save(update_fields=["status"])
        _share_to_partner_endpoint(cw.world, f"198.51.100.{40 + n}")
    many = _queries(client)
    assert many == few
    assert many <= 25  # 23 measured: session, user, memberships, then one per tile


def test_access_requests_wait_for_the_holding_agency_only(world, eu_agreement, client_for):
    from sharing.access_requests import access_request_create

    add(world.owner, ("ipv4", "198.51.100.77"))
    (theirs,) = add(world.partner, ("ipv4", "198.51.100.77"))
    access_request_create(
        actor=world.partner.investigator,
        indicator=theirs,
        reason="Op TULIP",
        legal_basis="EU 2023/977",
        handling_code="H0",
    )
    label = "Access requests to decide"
    waiting = {
        name: _line(client_for(side.investigator).get("/"), "waiting", label).count
        for name, side in (
            ("owner", world.owner),
            ("partner", world.partner),
            ("outsider", world.outsider),
        )
    }
    assert waiting == {"owner": 1, "partner": 0, "outsider": 0}
    line = _line(client_for(world.owner.investigator).get("/"), "waiting", label)
    assert line.url == "/correlations/requests/"


def test_notices_in_review_count_for_the_requester_and_the_reviewer_only(world, client_for):
    from notices import services as notice_services
    from tests.notices.conftest import RED_DATA

    notice = notice_services.notice_create(
        actor=world.owner.investigator, agency=world.owner.agency, notice_type="RED", data=RED_DATA
    )
    notice_services.notice_submit(actor=world.owner.investigator, notice=notice)
    counts = {
        name: _line(client_for(user).get("/"), "notices", "Submitted").count
        for name, user in (
            ("owner", world.owner.investigator),
            ("reviewer", world.reviewer),
            ("partner", world.partner.investigator),
            ("outsider", world.outsider.investigator),
        )
    }
    assert counts == {"owner": 1, "reviewer": 1, "partner": 0, "outsider": 0}


def test_assistance_requests_due_soon_count_for_the_notified_agency_only(aw, client_for):
    from assistance.models import Instrument, Kind, Urgency
    from tests.assistance.conftest import sent

    request = sent(
        aw,
        kind=Kind.TRAFFIC,
        instrument=Instrument.EPOC,
        data_categories=["traffic"],
        enforcing_authority=aw.partner.agency,
        urgency=Urgency.EMERGENCY,
        emergency_justification="A hostage is held; the C2 logs locate the captors.",
    )
    assert request.enforcing_authority == aw.partner.agency
    due = {
        name: _line(client_for(user).get("/"), "assistance", "Due within 7 days").count
        for name, user in (
            ("owner", aw.owner.investigator),
            ("partner", aw.partner.investigator),
            ("outsider", aw.outsider.investigator),
        )
    }
    assert due == {"owner": 0, "partner": 1, "outsider": 0}
    html = client_for(aw.partner.investigator).get("/").content.decode()
    assert f'href="/assistance/{request.pk}/"' in html
