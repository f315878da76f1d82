"""Dates on the pages follow the reader's language: a French reader sees 14/03/2026, never
2026-03-14, on a notice, an indicator, a STIX object, the deliveries and the notification
centre; machine-readable values (``<time datetime>``, STIX versions in ``<code>``) stay ISO.
Whoever may not see the page still gets a 404 that shows no date. Arabic, whose Django formats
lack them, gets day-first date-times and grouped thousands too."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone, translation
from django.utils.formats import date_format

from notifications import services as notifications
from notifications.models import Notification
from sharing import services
from sharing.models import Delivery, Indicator
from tests.interop.object_graph import build, share_with_partner
from tests.notices import conftest as notice_fixtures
from tests.sharing.conftest import shared_with_partner

pytestmark = pytest.mark.django_db
FRENCH = {"HTTP_ACCEPT_LANGUAGE": "fr"}
make_notice = notice_fixtures.make_notice
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")
MOMENT = dt.datetime(2026, 3, 14, 9, 5, 7, tzinfo=dt.UTC)


def in_french(value: dt.date | dt.datetime, format: str = "SHORT_DATE_FORMAT") -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value)
    with translation.override("fr"):
        return date_format(value, format)


def shown(html: str) -> str:
    """The page as read: without the values meant for machines (``datetime`` attributes, the
    hidden language-switcher address, ``<code>``: STIX ids and versions)."""
    html = re.sub(r'datetime="[^"]*"', "", html)
    html = re.sub(r'name="next" value="[^"]*"', "", html)
    return re.sub(r"<code>.*?</code>", "", html, flags=re.S)


def french_page(client, url: str) -> str:
    response = client.get(url, **FRENCH)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="fr"' in html
    return shown(html)


def test_an_arabic_date_and_time_reads_day_first_like_an_arabic_date():
    with translation.override("ar"):
        day = date_format(MOMENT, "SHORT_DATE_FORMAT")
        moment = date_format(MOMENT, "SHORT_DATETIME_FORMAT")
    assert day == "14\u200f/03\u200f/2026"
    assert moment == f"{day} 9:05 ص"  # Django's Arabic time format; not the US 03/14/2026


def test_an_arabic_count_groups_its_thousands_as_the_other_languages_do():
    for language, grouped in (
        ("ar", "1.234.567"),
        ("en-gb", "1,234,567"),
        ("fr", "1\xa0234\xa0567"),
    ):
        with translation.override(language):
            assert intcomma(1234567) == grouped


def test_a_notice_shows_its_dates_in_french_to_every_agency_that_sees_it(
    world, make_notice, client_for
):
    notice = make_notice("published")
    for side in (world.owner, world.partner, world.outsider):
        page = french_page(client_for(side.investigator), f"/notices/{notice.pk}/")
        assert ISO_DATE.findall(page) == []
        for day in (dt.date(1985, 3, 14), dt.date(2024, 5, 2), dt.date(2024, 6, 1)):
            assert in_french(day) in page
        assert in_french(notice.expires_at) in page
    draft = make_notice("draft")
    for side in (world.partner, world.outsider):
        response = client_for(side.investigator).get(f"/notices/{draft.pk}/", **FRENCH)
        assert response.status_code == 404 and in_french(dt.date(1985, 3, 14)) not in (
            response.content.decode()
        )


def test_an_indicator_shows_its_dates_and_shares_in_french_to_the_owner_and_the_partner(
    world, eu_agreement, client_for
):
    indicator = shared_with_partner(world)
    Indicator.objects.filter(pk=indicator.pk).update(
        first_seen=MOMENT, last_seen=MOMENT, valid_until=MOMENT + dt.timedelta(days=30)
    )
    url = f"/indicators/{indicator.pk}/"
    for user in (world.owner.investigator, world.partner.investigator):
        page = french_page(client_for(user), url)
        assert ISO_DATE.findall(page) == []
        assert f"{in_french(MOMENT, 'SHORT_DATETIME_FORMAT')} / " in page
        assert in_french(MOMENT + dt.timedelta(days=30), "SHORT_DATETIME_FORMAT") in page
    response = client_for(world.outsider.investigator).get(url, **FRENCH)
    assert response.status_code == 404 and b"192.0.2.80" not in response.content


def test_a_stix_object_shows_when_it_was_made_and_each_version_added_in_french(
    world, eu_agreement, client_for
):
    graph = build(world)
    share_with_partner(world, graph.malware)
    malware = graph.malware
    url = f"/objects/{malware.pk}/"
    version = malware.versions.get()
    for user in (world.owner.investigator, world.partner.investigator):
        page = french_page(client_for(user), url)
        markings = page[page.index('id="markings"') : page.index("</dl>")]
        assert ISO_DATE.findall(markings) == []
        assert in_french(malware.created, "SHORT_DATETIME_FORMAT") in markings
        versions = page[page.index('id="versions"') :].split("</table>")[0]
        assert ISO_DATE.findall(versions) == []
        added = f"{in_french(version.date_added)} {version.date_added:%H:%M:%S}"
        assert added in versions
    response = client_for(world.outsider.investigator).get(url, **FRENCH)
    assert response.status_code == 404 and b"Emotet" not in response.content


def test_the_deliveries_show_when_each_was_queued_in_french_to_the_agencys_admins_only(
    world, client_for, settings
):
    settings.SHARING_ENDPOINT_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    endpoint, _ = services.endpoint_create(
        actor=world.partner.admin,
        agency=world.partner.agency,
        name="NL SOC",
        url="http://127.0.0.1:9/soc",
    )
    dead = Delivery.objects.create(
        endpoint=endpoint, status=Delivery.Status.DEAD, attempts=8, last_error="HTTP 503"
    )
    Delivery.objects.filter(pk=dead.pk).update(created_at=MOMENT)
    url = f"/agencies/{world.partner.agency.code}/deliveries/"
    admin = client_for(world.partner.admin)
    page = french_page(admin, url)
    assert ISO_DATE.findall(page) == []
    queued = in_french(MOMENT, "SHORT_DATETIME_FORMAT")
    errors = page[page.index('id="latest-errors"') :]
    assert errors.count(queued) == 2  # the list and the table
    time = f'<time datetime="2026-03-14T09:05:07+00:00">{queued}</time>'  # ISO for machines
    assert admin.get(url, **FRENCH).content.decode().count(time) == 2
    for user in (world.partner.investigator, world.owner.admin, world.outsider.admin):
        response = client_for(user).get(url, **FRENCH)
        assert response.status_code == 404 and b"NL SOC" not in response.content


def test_the_notification_centre_writes_a_deadline_in_french_for_its_reader_alone(
    world, client_for
):
    notifications.notify(
        users=[world.owner.investigator],
        kind=Notification.Kind.ASSISTANCE_DEADLINE,
        params={"request": 5, "due_at": MOMENT.isoformat()},
        link="/cases/",
        subject="Request #5",
    )
    page = french_page(client_for(world.owner.investigator), "/notifications/")
    assert ISO_DATE.findall(page) == []
    assert f"{in_french(MOMENT, 'SHORT_DATETIME_FORMAT')} UTC" in page  # the sentence
    for side in (world.partner, world.outsider):
        assert "Request #5" not in french_page(client_for(side.investigator), "/notifications/")
