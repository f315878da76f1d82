"""The dashboards in a real browser: the chart is drawn from its JSON under the CSP, with no
console error, and the pages fit a 390 px phone without a horizontal scroll."""

from __future__ import annotations

import pytest

from sharing import services as sharing_services
from tests.conftest import browser_login
from tests.factories import PASSWORD
from tests.sharing.conftest import add


@pytest.fixture
def delivery_to_partner(world, eu_agreement, settings):
    settings.SHARING_ENDPOINT_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    endpoint, _ = sharing_services.endpoint_create(
        actor=world.partner.admin,
        agency=world.partner.agency,
        name="NL SOC",
        url="http://127.0.0.1:9/",
    )
    sharing_services.indicator_share(
        actor=world.owner.investigator,
        indicators=add(world.owner, ("ipv4", "198.51.100.90")),
        spec=sharing_services.ShareSpec(agencies=[world.partner.agency]),
    )
    return endpoint


def _watch_console(page) -> list[str]:
    problems: list[str] = []

    def console(message) -> None:
        if message.type == "error":
            problems.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


@pytest.mark.browser
def test_the_dashboard_draws_its_deliveries_chart_without_console_errors(
    world, delivery_to_partner, page
):
    problems = _watch_console(page)
    browser_login(page, world.partner.admin.username, PASSWORD)
    page.goto("/")
    canvas = page.locator("canvas[data-chart='deliveries-chart'][data-drawn='1']")
    canvas.wait_for()
    box = canvas.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100
    # the text alternative: the same numbers as a table
    assert page.locator("#deliveries-chart-figure details table").count() == 1
    page.goto(f"/agencies/{world.partner.agency.code}/deliveries/")
    page.locator(
        f"canvas[data-chart='endpoint-chart-{delivery_to_partner.pk}'][data-drawn='1']"
    ).wait_for()
    assert problems == []


@pytest.mark.browser
def test_the_dashboard_and_the_case_timeline_fit_a_phone(world, delivery_to_partner, page):
    from tests.cases.conftest import open_case

    case = open_case(world.owner, title="x" * 200)
    page.set_viewport_size({"width": 390, "height": 800})
    problems = _watch_console(page)
    browser_login(page, world.owner.investigator.username, PASSWORD)
    for url in ("/", case.get_absolute_url(), f"{case.get_absolute_url()}?tab=timeline"):
        page.goto(url)
        assert page.evaluate("document.documentElement.scrollWidth") <= 390, url
    assert "opened" in page.locator("#timeline-events").inner_text()
    assert problems == []
