"""POST /api/v1/misp/events/ and the MISP import service: misp-stix converts, distribution
levels and tlp tags become TLP, and the report names what MISP had that we could not map."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from agencies.models import Agency, Membership
from audit.models import AuditEvent
from common.parsers import NOT_AN_OBJECT
from interop import misp
from sharing.models import Indicator, StixObject
from tests.factories import AgencyFactory, make_member
from tests.interop.misp_data import (
    EVENT_UUID,
    SHARING_GROUP_EVENT_UUID,
    event,
    feed_events,
    handled,
    misp_stix_objects,
)

URL = "/api/v1/misp/events/"
pytestmark = pytest.mark.django_db


def tlps(agency) -> dict[str, str]:
    return dict(Indicator.objects.filter(owner=agency).values_list("normalized", "tlp"))


def test_an_event_becomes_indicators_and_every_converted_object_is_accounted_for(
    world, api_client_for
):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post(URL, event(), format="json")
    assert response.status_code == 201, response.content
    report = response.json()
    (only,) = report["events"]
    assert only["uuid"] == EVENT_UUID and only["info"].startswith("MISP-STIX-Converter")
    # to_ids attributes: six typed values; the file and domain-ip objects are multi-value
    # patterns, kept pattern-only. Everything else misp-stix made is accepted or rejected.
    assert Indicator.objects.filter(owner=world.owner.agency).count() == 6
    assert StixObject.objects.filter(owner=world.owner.agency, type="indicator").count() == 2
    assert handled(only["counts"]) == len(misp_stix_objects(event())) >= 40
    assert report["counts"] == only["counts"]


def test_distribution_levels_and_tlp_tags_become_the_strictest_tlp(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    assert client.post(URL, event(), format="json").status_code == 201
    assert tlps(world.owner.agency) == {
        "198.51.100.10": "AMBER+STRICT",  # 0: this organisation only
        "203.0.113.11": "AMBER",  # 1: this community
        "phish.example.com": "GREEN",  # 2: connected communities
        "b2a5abfeef9e36964281a31e17b57c97": "AMBER",  # 3, but tagged tlp:amber
        "https://phish.example.com/login.php": "AMBER+STRICT",  # 4: a sharing group
        "ec5aedf5ecc6bdadd4120932170d1b10f6cfa175cfda22951dfd882928ab279b": "CLEAR",  # 5 → 3
    }
    objects = dict(StixObject.objects.filter(type="indicator").values_list("body__pattern", "tlp"))
    assert set(objects.values()) == {"CLEAR"}  # objects: 5 (the event's 3) and 3, tlp:white


def test_an_attribute_is_never_shared_wider_than_its_event(world):
    narrow = event()
    narrow["Event"]["distribution"] = "1"  # this community: at most AMBER
    misp.misp_events_import(
        actor=world.owner.investigator, agency=world.owner.agency, events=[narrow]
    )
    levels = tlps(world.owner.agency)
    assert levels["ec5aedf5ecc6bdadd4120932170d1b10f6cfa175cfda22951dfd882928ab279b"] == "AMBER"
    assert levels["phish.example.com"] == "AMBER"
    assert levels["198.51.100.10"] == "AMBER+STRICT"


def test_a_red_tag_on_the_event_makes_everything_red(world):
    red = event()
    red["Event"]["Tag"] = [{"name": "TLP:RED"}]
    misp.misp_events_import(actor=world.owner.investigator, agency=world.owner.agency, events=[red])
    assert set(tlps(world.owner.agency).values()) == {"RED"}


def test_no_distribution_and_no_tag_keeps_the_default_amber(world):
    bare = event()
    bare["Event"].pop("distribution")
    bare["Event"]["Tag"] = []
    for attribute in bare["Event"]["Attribute"]:
        attribute.pop("distribution")
        attribute.pop("Tag", None)
    misp.misp_events_import(
        actor=world.owner.investigator, agency=world.owner.agency, events=[bare]
    )
    assert set(tlps(world.owner.agency).values()) == {"AMBER"}


def test_the_report_names_the_sharing_group_and_what_misp_stix_could_not_map(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    report = client.post(URL, {"events": [event(), *feed_events()]}, format="json").json()
    lines = {e["uuid"]: [(w["id"], w["reason"]) for w in e["warnings"]] for e in report["events"]}
    assert (
        "91ae0a21-c7ae-4c7f-b84b-b84a7ce53d14",
        "MISP attribute (url): " + misp.sharing_group_unmapped("Banking ISAC"),
    ) in lines[EVENT_UUID]
    assert (
        "91ae0a21-c7ae-4c7f-b84b-b84a7ce53d16",
        "MISP attribute (text): no STIX 2.1 equivalent, sent as x-misp-attribute",
    ) in lines[EVENT_UUID]
    assert (
        SHARING_GROUP_EVENT_UUID,
        "MISP event: sharing group Banking ISAC is not mapped: kept at TLP:AMBER+STRICT",
    ) in lines[SHARING_GROUP_EVENT_UUID]
    # the whole sharing-group event is AMBER+STRICT, its attributes inheriting (5)
    assert tlps(world.owner.agency)["c2.botnet.example.net"] == "AMBER+STRICT"


def test_an_attribute_misp_stix_drops_is_reported_by_uuid(world):
    broken = event()
    broken["Event"]["Attribute"].append(
        {
            "uuid": "91ae0a21-c7ae-4c7f-b84b-b84a7ce53d99",
            "type": "ip-dst",
            "to_ids": True,
            "value": "not an address",
        }
    )
    report = misp.misp_events_import(
        actor=world.owner.investigator, agency=world.owner.agency, events=[broken]
    ).as_dict()
    lines = [(w["id"], w["reason"]) for w in report["events"][0]["warnings"]]
    dropped = "91ae0a21-c7ae-4c7f-b84b-b84a7ce53d99"
    assert (dropped, "MISP attribute (ip-dst): not converted, dropped") in lines
    assert (
        dropped,
        f"misp-stix warning: Failed validation for ip-dst Attribute <{dropped}>: "
        "not an address - IP address has an invalid format.",
    ) in lines


def test_ip_src_and_ip_dst_become_typed_values_not_patterns(world):
    misp.misp_events_import(
        actor=world.owner.investigator, agency=world.owner.agency, events=feed_events()
    )
    ips = Indicator.objects.filter(owner=world.owner.agency, type="ipv4")
    assert set(ips.values_list("normalized", flat=True)) == {"198.51.100.77", "192.0.2.51"}
    assert not StixObject.objects.filter(
        type="indicator", body__pattern__icontains="198.51.100.77"
    ).exists()


def test_importing_the_same_event_again_changes_nothing(world):
    def run():
        return misp.misp_events_import(
            actor=world.owner.investigator, agency=world.owner.agency, events=[event()]
        )

    first, again = run(), run()
    assert again.counts["created"] == 0 and again.counts["pattern_only"] == 0
    stored = sum(first.counts[k] for k in ("created", "pattern_only", "unchanged"))
    assert again.counts["unchanged"] == stored
    assert Indicator.objects.filter(owner=world.owner.agency).count() == 6


def test_the_import_is_audited_once_with_its_events(world):
    misp.misp_events_import(
        actor=world.owner.investigator, agency=world.owner.agency, events=feed_events()
    )
    (audited,) = AuditEvent.objects.filter(action="misp.events_imported")
    assert (
        audited.agency_code == world.owner.agency.code and audited.actor == world.owner.investigator
    )
    assert set(audited.summary["events"]) == {
        SHARING_GROUP_EVENT_UUID,
        feed_events()[1]["Event"]["uuid"],
    }


def test_a_partner_imports_for_its_own_agency(world, api_client_for):
    client = api_client_for(world.partner.investigator, world.partner.agency)
    assert client.post(URL, event(), format="json").status_code == 201
    assert Indicator.objects.filter(owner=world.partner.agency).count() == 6
    assert not Indicator.objects.filter(owner=world.owner.agency).exists()


def test_an_outsider_reposting_the_owners_event_gets_copies_and_changes_none_of_the_owners(
    world, api_client_for
):
    misp.misp_events_import(
        actor=world.owner.investigator, agency=world.owner.agency, events=[event()]
    )
    before = tlps(world.owner.agency)
    changed = event()
    changed["Event"]["Tag"] = [{"name": "tlp:red"}]
    for attribute in changed["Event"]["Attribute"]:
        attribute["timestamp"] = "1703642920"
    client = api_client_for(world.outsider.investigator, world.outsider.agency)
    report = client.post(URL, changed, format="json").json()
    assert report["counts"]["created"] > 0
    assert tlps(world.owner.agency) == before
    copies = tlps(world.outsider.agency)
    assert copies.keys() == before.keys() and set(copies.values()) == {"RED"}


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ("just text", "non_field_errors", NOT_AN_OBJECT.format(kind="a string")),
        (42, "non_field_errors", NOT_AN_OBJECT.format(kind="a number")),
        ([event()], "non_field_errors", NOT_AN_OBJECT.format(kind="a list")),
        ({"events": []}, "events", misp.NOT_A_LIST),
        ({"events": "x"}, "events", misp.NOT_A_LIST),
        ({"response": {"Event": {}}}, "response", misp.NOT_A_LIST),
        ({"events": [1]}, "events[0]", misp.NOT_AN_EVENT),
        ({"Event": "x"}, "events[0]", misp.NOT_AN_EVENT),
        ({"Event": {"uuid": EVENT_UUID}}, "events[0].info", misp.INFO_REQUIRED),
        ({"Event": {"info": "x", "uuid": "nope"}}, "events[0].uuid", misp.UUID_REQUIRED),
        (
            {"info": "x", "uuid": EVENT_UUID, "Attribute": {}},
            "events[0].Attribute",
            misp.LIST_REQUIRED,
        ),
        ({"info": "x", "uuid": EVENT_UUID, "Tag": "tlp:red"}, "events[0].Tag", misp.LIST_REQUIRED),
    ],
)
def test_a_malformed_body_is_a_400_naming_the_field(world, api_client_for, body, field, message):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()[field] == [message]
    assert not Indicator.objects.exists()


@pytest.mark.parametrize(
    "attribute",
    [
        {"type": "ip-dst", "value": ["a", "list"]},
        {"type": "no-such-type", "value": "x"},
        {"type": "md5", "value": None},
        "not an attribute",
        {"type": "url", "value": "https://x.example", "distribution": "many", "Tag": "tlp:x"},
    ],
)
def test_malformed_attributes_never_make_a_500(world, api_client_for, attribute):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    body = {"Event": {"info": "x", "uuid": EVENT_UUID, "Attribute": [attribute]}}
    response = client.post(URL, body, format="json")
    assert response.status_code in (201, 400), response.content


def test_a_form_body_is_a_415(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post(URL, {"info": "x", "uuid": EVENT_UUID})
    assert response.status_code == 415
    assert not Indicator.objects.exists()


def test_invalid_json_is_a_400(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    response = client.post(URL, "{not json", content_type="application/json")
    assert response.status_code == 400


def test_nothing_is_written_when_one_event_of_several_is_invalid(world):
    with pytest.raises(ValidationError, match=r"events\[1\]\.info"):
        misp.misp_events_import(
            actor=world.owner.investigator,
            agency=world.owner.agency,
            events=[event(), {"Event": {"uuid": EVENT_UUID}}],
        )
    assert not Indicator.objects.exists()


def test_a_key_without_the_ingest_scope_is_refused(world):
    from rest_framework.test import APIClient

    from agencies.services import api_key_issue

    _, plaintext = api_key_issue(
        actor=None,
        agency=world.owner.agency,
        user=world.owner.investigator,
        name="read",
        scopes=["read"],
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    response = client.post(URL, event(), format="json")
    assert response.status_code == 403 and "ingest" in response.json()["detail"]
    assert not Indicator.objects.exists()


def test_anonymous_callers_are_refused(world, client):
    response = client.post(URL, event(), content_type="application/json")
    assert response.status_code in (401, 403)
    assert not Indicator.objects.exists()


def test_a_provider_key_gets_404_from_every_misp_endpoint(world, api_client_for):
    provider = AgencyFactory(code="NL-HOSTCO", kind=Agency.Kind.SERVICE_PROVIDER)
    liaison = make_member(provider, "hostco_liaison", Membership.Role.PROVIDER_LIAISON)
    client = api_client_for(liaison, provider)
    assert client.post("/api/v1/misp/events/", {"events": []}, format="json").status_code == 404
    for path in ("manifest.json", "hashes.csv", f"{SHARING_GROUP_EVENT_UUID}.json"):
        assert client.get(f"/api/v1/misp/feed/{path}").status_code == 404


def test_attributes_without_a_uuid_get_a_stable_one_so_a_second_import_updates(world):
    def run():
        bare = {"info": "no uuids", "uuid": EVENT_UUID, "timestamp": "1603642920"}
        bare["Attribute"] = [{"type": "domain", "value": "no-uuid.example", "to_ids": True}]
        return misp.misp_events_import(
            actor=world.owner.investigator, agency=world.owner.agency, events=[bare]
        )

    first, again = run(), run()
    assert first.counts["created"] >= 1 and first.counts["rejected"] == 0
    assert again.counts["created"] == again.counts["updated"] == 0
    assert again.counts["unchanged"] == first.counts["created"] + first.counts["unchanged"]
    assert Indicator.objects.filter(normalized="no-uuid.example").count() == 1
    assert not [w for w in first.as_dict()["events"][0]["warnings"] if "dropped" in w["reason"]]


def test_an_unknown_tlp_tag_is_reported_and_ignored(world):
    tagged = event()
    tagged["Event"]["Attribute"][2]["Tag"] = [{"name": "tlp:ex:chr"}]
    report = misp.misp_events_import(
        actor=world.owner.investigator, agency=world.owner.agency, events=[tagged]
    ).as_dict()
    assert (
        "91ae0a21-c7ae-4c7f-b84b-b84a7ce53d12",
        "MISP attribute (domain): " + misp.unknown_tag("ex:chr"),
    ) in [(w["id"], w["reason"]) for w in report["events"][0]["warnings"]]
    assert tlps(world.owner.agency)["phish.example.com"] == "GREEN"
