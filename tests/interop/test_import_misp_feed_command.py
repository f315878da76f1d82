"""manage.py import_misp_feed: a MISP feed directory or one event file, as an agency's."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from agencies.models import Agency, Membership
from interop.misp import sharing_group_unmapped
from sharing.models import Indicator
from tests.factories import AgencyFactory, make_member
from tests.interop.misp_data import DATA, FEED, SHARING_GROUP_EVENT_UUID

pytestmark = pytest.mark.django_db


def run(path, side, **options) -> str:
    out = StringIO()
    args = {"agency": side.agency.code, "user": side.investigator.username, **options}
    call_command("import_misp_feed", str(path), stdout=out, **args)
    return out.getvalue()


def test_a_feed_directory_is_imported_and_its_report_printed(world):
    output = run(FEED, world.owner)
    assert Indicator.objects.filter(owner=world.owner.agency).count() == 5
    assert f"{SHARING_GROUP_EVENT_UUID} Botnet C2 servers" in output
    assert str(sharing_group_unmapped("Banking ISAC")) in output
    # every object misp-stix made is stored (identities, reports, observables, …)
    assert output.rstrip().splitlines()[-1].startswith("2 events imported for DE-BKA: created ")


def test_one_event_file_is_imported(world):
    output = run(DATA / "event-indicators.json", world.owner)
    assert Indicator.objects.filter(owner=world.owner.agency).count() == 6
    assert "1 events imported for DE-BKA" in output


def test_a_missing_path_is_named(world, tmp_path):
    with pytest.raises(CommandError, match=r"nowhere: no such file or directory"):
        run(tmp_path / "nowhere", world.owner)


def test_a_directory_without_a_manifest_is_refused(world, tmp_path):
    with pytest.raises(CommandError, match="a MISP feed directory holds a manifest.json"):
        run(tmp_path, world.owner)


def test_an_event_listed_but_missing_is_named(world, tmp_path):
    (tmp_path / "manifest.json").write_text(json.dumps({SHARING_GROUP_EVENT_UUID: {}}))
    with pytest.raises(CommandError, match=f"{SHARING_GROUP_EVENT_UUID}.json: listed in"):
        run(tmp_path, world.owner)
    assert not Indicator.objects.exists()


def test_a_file_that_is_not_json_is_named(world, tmp_path):
    (tmp_path / "event.json").write_text("{nope")
    with pytest.raises(CommandError, match="event.json: not readable as JSON"):
        run(tmp_path / "event.json", world.owner)


def test_an_invalid_event_names_its_field_and_writes_nothing(world, tmp_path):
    (tmp_path / "event.json").write_text(json.dumps({"Event": {"uuid": "x", "info": "y"}}))
    with pytest.raises(CommandError, match=r"events\[0\]\.uuid: A UUID is required"):
        run(tmp_path / "event.json", world.owner)
    assert not Indicator.objects.exists()


def test_an_unknown_agency_or_user_is_named(world):
    with pytest.raises(CommandError, match="No agency with code 'XX-NONE'"):
        run(FEED, world.owner, agency="XX-NONE")
    with pytest.raises(CommandError, match="No user 'nobody'"):
        run(FEED, world.owner, user="nobody")


def test_a_user_of_another_agency_is_refused(world):
    with pytest.raises(CommandError, match="outsider_investigator is not an active member of"):
        run(FEED, world.owner, user=world.outsider.investigator.username)
    assert not Indicator.objects.exists()


def test_a_service_provider_is_refused(world):
    provider = AgencyFactory(code="NL-HOSTCO", kind=Agency.Kind.SERVICE_PROVIDER)
    admin = make_member(provider, "hostco_admin", Membership.Role.AGENCY_ADMIN)
    with pytest.raises(CommandError, match="NL-HOSTCO is a service provider"):
        run(FEED, world.owner, agency=provider.code, user=admin.username)
    assert not Indicator.objects.exists()


class Terminal(StringIO):
    """An output that says it is a terminal, as a shell's stdout does."""

    def isatty(self) -> bool:
        return True


def test_without_a_terminal_each_event_is_a_plain_line_as_it_is_imported(world):
    output = run(FEED, world.owner)
    assert "\x1b[" not in output and "━" not in output
    lines = output.splitlines()
    assert lines[0].startswith(f"{SHARING_GROUP_EVENT_UUID} Botnet C2 servers")
    assert ": created " in lines[0]
    assert sum(1 for line in lines if not line.startswith("  ")) == 3  # two events, the total


def test_on_a_terminal_a_progress_bar_counts_the_events(world):
    out = Terminal()
    args = {"agency": world.owner.agency.code, "user": world.owner.investigator.username}
    call_command("import_misp_feed", str(FEED), stdout=out, **args)
    output = out.getvalue()
    assert "MISP events" in output and "2/2" in output and "━" in output
    assert f"{SHARING_GROUP_EVENT_UUID} Botnet C2 servers" in output
    # The bar's last state stays above the total (the cursor, hidden meanwhile, comes back).
    assert "2 events imported for DE-BKA: created " in output.rstrip().splitlines()[-1]
