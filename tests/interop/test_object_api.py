"""/api/v1/objects/: list (type, q, keyset pages), detail (our fields and the STIX object as
served), shares (list, create, withdraw) and revoke — owner, partner (before and after a
share), outsider; TAXII keeps a revoked object's versions for the audiences of active shares."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from interop.models import ObjectVersion
from interop.selectors import versions_visible_to
from sharing import services
from sharing.models import Share, StixObject
from sharing.stix import extension_properties
from tests.interop.object_graph import build, share_with_partner

pytestmark = pytest.mark.django_db
LIST = "/api/v1/objects/"


def url(obj: StixObject, tail: str = "") -> str:
    return f"{LIST}{obj.pk}/{tail}"


@pytest.fixture
def graph(world, eu_agreement):
    return build(world)


@pytest.fixture
def api(world, api_client_for):
    return {
        side: api_client_for(getattr(world, side).investigator, getattr(world, side).agency)
        for side in ("owner", "partner", "outsider")
    }


def ids(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["stix_id"] for row in response.json()["results"]}


def test_the_list_filters_by_type_and_text_and_pages_by_keyset(world, graph, api):
    owner = api["owner"]
    assert ids(owner.get(LIST, {"type": "malware"})) == {graph.malware.stix_id}
    # the actor, and the relationships named after it ("TA-505 uses Emotet loader")
    found = ids(owner.get(LIST, {"q": "ta-505"}))
    assert graph.actor.stix_id in found and graph.malware.stix_id not in found
    assert {i.split("--")[0] for i in found} == {"threat-actor", "relationship"}
    assert ids(owner.get(LIST, {"q": graph.uses.stix_id})) == {graph.uses.stix_id}
    first = owner.get(LIST, {"limit": 3, "type": "relationship"}).json()
    assert len(first["results"]) == 3 and first["next"] and first["previous"] is None
    rest = owner.get(first["next"]).json()
    assert len(rest["results"]) == 1 and rest["next"] is None
    assert "type=relationship" in first["next"]
    row = first["results"][0]
    assert set(row) >= {"id", "stix_id", "type", "name", "owner", "tlp", "modified", "revoked"}
    assert "stix" not in row


def test_bad_filters_and_cursors_are_400s_naming_the_field(world, graph, api):
    response = api["owner"].get(LIST, {"type": "Not A Type"})
    assert response.status_code == 400 and "type" in response.json()
    response = api["owner"].get(LIST, {"cursor": "garbage"})
    assert response.status_code == 400 and "cursor" in response.json()


def test_partner_sees_a_shared_malware_object_until_the_share_is_withdrawn(world, graph, api):
    partner = api["partner"]
    assert graph.malware.stix_id not in ids(partner.get(LIST))
    assert partner.get(url(graph.malware)).status_code == 404
    response = api["owner"].post(
        url(graph.malware, "shares/"), {"agencies": ["NL-NHTCU"]}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["objects"] == 1 and response.json()["indicators"] == 0
    share = Share.objects.get(pk=response.json()["id"])
    assert list(share.stix_objects.all()) == [graph.malware]
    assert not share.deliveries.exists()  # webhooks carry indicators only
    assert ids(partner.get(LIST)) == {graph.malware.stix_id}
    body = partner.get(url(graph.malware)).json()
    assert body["name"] == "Emotet loader" and body["owner"] == "DE-BKA"
    assert body["stix"]["id"] == graph.malware.stix_id and body["stix"]["is_family"] is True
    assert extension_properties(body["stix"])["owner"] == "DE-BKA"
    # The partner learns nothing of the shares.
    assert partner.get(url(graph.malware, "shares/")).status_code == 403
    listed = api["owner"].get(url(graph.malware, "shares/")).json()["results"]
    assert [s["agencies"] for s in listed] == [["NL-NHTCU"]]
    withdrawn = api["owner"].post(url(graph.malware, f"shares/{share.pk}/withdraw/"))
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    assert partner.get(url(graph.malware)).status_code == 404
    assert graph.malware.stix_id not in ids(partner.get(LIST))


def test_the_outsider_gets_404_everywhere_like_an_unknown_id(world, graph, api):
    share = share_with_partner(world, graph.malware)
    outsider = api["outsider"]
    assert graph.malware.stix_id not in ids(outsider.get(LIST))
    for tail, method in (
        ("", "get"),
        ("shares/", "get"),
        ("shares/", "post"),
        ("revoke/", "post"),
        (f"shares/{share.pk}/withdraw/", "post"),
    ):
        hidden = getattr(outsider, method)(url(graph.malware, tail), {}, format="json")
        missing = getattr(outsider, method)(f"{LIST}{10**9}/{tail}", {}, format="json")
        assert hidden.status_code == missing.status_code == 404, tail
        assert hidden.json() == missing.json()
    graph.malware.refresh_from_db()
    assert not graph.malware.revoked


def test_the_partner_may_neither_share_nor_revoke_nor_withdraw(world, graph, api):
    share = share_with_partner(world, graph.malware)
    partner = api["partner"]
    body = {"agencies": ["NL-NHTCU"]}
    assert partner.post(url(graph.malware, "shares/"), body, format="json").status_code == 403
    assert partner.post(url(graph.malware, "revoke/")).status_code == 403
    assert partner.post(url(graph.malware, f"shares/{share.pk}/withdraw/")).status_code == 403


def test_share_errors_name_the_field(world, graph, api):
    owner = api["owner"]
    response = owner.post(url(graph.malware, "shares/"), {}, format="json")
    assert response.status_code == 400 and "agencies" in response.json()
    response = owner.post(url(graph.malware, "shares/"), {"agencies": ["XX-NONE"]}, format="json")
    assert response.status_code == 400 and "agencies" in response.json()
    response = owner.post(url(graph.malware, "shares/"), {"agencies": ["IN-CBI"]}, format="json")
    assert response.status_code == 400 and "legal_basis" in response.json()
    StixObject.objects.filter(pk=graph.actor.pk).update(tlp="AMBER+STRICT")
    response = owner.post(url(graph.actor, "shares/"), {"agencies": ["NL-NHTCU"]}, format="json")
    assert response.status_code == 400
    assert response.json() == {"objects": [services.STRICT_STAYS.format(codes="TA-505")]}
    assert not Share.objects.exists()


def test_revoke_records_a_revoked_version_that_taxii_keeps_for_active_shares(world, graph, api):
    share = share_with_partner(world, graph.malware)
    response = api["owner"].post(url(graph.malware, "revoke/"))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["revoked"] is True and body["stix"]["revoked"] is True
    graph.malware.refresh_from_db()
    assert body["stix"]["modified"] == graph.malware.body["modified"]
    assert AuditEvent.objects.filter(
        action="stix_object.revoked", object_id=str(graph.malware.pk)
    ).exists()
    latest = ObjectVersion.objects.get(stix_object=graph.malware, is_latest=True)
    assert latest.version == graph.malware.body["modified"]
    # The partner's lists and pages drop it; TAXII keeps its revoked version for the partner.
    assert api["partner"].get(url(graph.malware)).status_code == 404
    taxii = versions_visible_to(user=world.partner.investigator, agency=world.partner.agency)
    assert taxii.filter(pk=latest.pk).exists()
    outsider = versions_visible_to(user=world.outsider.investigator, agency=world.outsider.agency)
    assert not outsider.filter(stix_object=graph.malware).exists()
    # A second revocation, and sharing a revoked object, are refused naming the field.
    again = api["owner"].post(url(graph.malware, "revoke/"))
    assert again.status_code == 400 and "stix_object" in again.json()
    refused = api["owner"].post(
        url(graph.malware, "shares/"), {"agencies": ["NL-NHTCU"]}, format="json"
    )
    assert refused.status_code == 400
    assert refused.json() == {"objects": [services.REVOKED_STAY.format(codes="Emotet loader")]}
    services.share_withdraw(actor=world.owner.investigator, share=share)
    assert not taxii.filter(pk=latest.pk).exists()


def test_a_cyber_observable_cannot_be_revoked(world, graph, api):
    from tests.interop.object_graph import load

    observable = {"type": "ipv4-addr", "id": "ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd"}
    stored = load(world.owner, {**observable, "value": "198.51.100.9"})[observable["id"]]
    response = api["owner"].post(url(stored, "revoke/"))
    assert response.status_code == 400 and response.json()["stix_object"] == [
        "A cyber observable has no versions: withdraw its shares instead."
    ]
    stored.refresh_from_db()
    assert not stored.revoked


def test_the_openapi_schema_documents_the_object_endpoints():
    from drf_spectacular.generators import SchemaGenerator

    paths = SchemaGenerator().get_schema(request=None, public=True)["paths"]
    for path in (
        "/api/v1/objects/",
        "/api/v1/objects/{id}/",
        "/api/v1/objects/{id}/shares/",
        "/api/v1/objects/{id}/shares/{share_pk}/withdraw/",
        "/api/v1/objects/{id}/revoke/",
    ):
        assert path in paths, path


def test_a_share_republishes_the_objects_latest_version_for_taxii_pollers(world, graph):
    latest = ObjectVersion.objects.get(stix_object=graph.malware, is_latest=True)
    share_with_partner(world, graph.malware)
    republished = ObjectVersion.objects.get(pk=latest.pk)
    assert republished.date_added > latest.date_added
    taxii = versions_visible_to(user=world.partner.investigator, agency=world.partner.agency)
    assert taxii.filter(pk=latest.pk).exists()
    untouched = ObjectVersion.objects.get(stix_object=graph.actor, is_latest=True)
    assert untouched.date_added < republished.date_added


def test_an_agency_that_joins_a_jit_later_gains_its_shared_objects_with_fresh_taxii_dates(
    world, graph, api
):
    from cases import jits as case_services
    from tests.cases.conftest import join, open_case

    jit = case_services.jit_create(
        actor=world.owner.investigator,
        case=open_case(world.owner),
        name="JIT Nightjar",
        legal_basis="eu_jit",
    )
    services.stix_objects_share(
        actor=world.owner.investigator, objects=[graph.malware], spec=services.ShareSpec(jit=jit)
    )
    assert api["partner"].get(url(graph.malware)).status_code == 404
    shared = ObjectVersion.objects.get(stix_object=graph.malware, is_latest=True).date_added

    join(jit, world.owner, world.partner)

    assert api["partner"].get(url(graph.malware)).status_code == 200
    latest = ObjectVersion.objects.get(stix_object=graph.malware, is_latest=True)
    assert latest.date_added > shared
