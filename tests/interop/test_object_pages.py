"""The STIX object pages (/objects/): list by type and text, an object's page (properties,
relationships both ways, versions, markings, shares), sharing, withdrawing and revoking — for
the owner, a partner (before and after a share) and an outsider."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from audit.models import AuditEvent
from interop import views
from interop.models import ObjectVersion
from sharing.models import Share, StixObject
from tests.interop.object_graph import (
    build,
    ipv4_observable,
    load,
    share_with_partner,
    statement_marking,
)

pytestmark = pytest.mark.django_db
LIST = "/objects/"


def detail(obj: StixObject) -> str:
    return reverse("stix_object_detail", args=[obj.pk])


@pytest.fixture
def graph(world, eu_agreement):
    return build(world)


def names(response) -> str:
    return response.content.decode()


def without_csrf(response) -> str:
    """The page without its CSRF token and the language switcher's return address (the
    caller's own URL, which differs between the two requests compared)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", names(response))
    return re.sub(r'name="next" value="[^"]*"', "", page)


def relationships(page: str, rel: StixObject, target: str) -> str:
    """The page's relationships table, with the target's and the relationship's ids masked."""
    table = page.split('id="relationships"')[1].split("</table>")[0]
    return table.replace(target, "TARGET").replace(rel.stix_id, "REL").replace(str(rel.pk), "N")


# --- the list --------------------------------------------------------------------------------


def test_the_owner_lists_its_objects_with_readable_types_and_the_nav_links_them(
    world, graph, client_for
):
    page = names(client_for(world.owner.investigator).get(LIST))
    assert "Emotet loader" in page and "TA-505" in page
    assert "Threat actor" in page and "Malware" in page
    assert f'href="{LIST}">Objects</a>' in page
    assert "Outsider&#x27;s banker" not in page and "Outsider's banker" not in page


def test_the_type_filter_and_the_text_search_narrow_the_list(world, graph, client_for):
    client = client_for(world.owner.investigator)
    page = names(client.get(LIST, {"type": "threat-actor"}))
    assert "TA-505" in page and "Emotet loader" not in page
    page = names(client.get(LIST, {"q": "emotet"}))  # the loader, and relationships naming it
    assert ">Emotet loader<" in page and ">TA-505<" not in page
    page = names(client.get(LIST, {"q": graph.actor.stix_id}))
    assert "TA-505" in page and "Emotet loader" not in page


def test_a_malformed_type_is_a_400_naming_the_field(world, graph, client_for):
    response = client_for(world.owner.investigator).get(LIST, {"type": "Not A Type!"})
    assert response.status_code == 400
    assert "Type: A STIX type" in names(response) and "Emotet loader" not in names(response)


def test_a_malformed_type_is_named_in_the_readers_language(world, graph, client_for):
    response = client_for(world.owner.investigator).get(
        LIST, {"type": "Not A Type!"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    assert response.status_code == 400
    assert "Type: Un type STIX\u00a0: lettres minuscules" in names(response)


def test_the_list_pages_by_keyset(world, graph, client_for, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    client = client_for(world.owner.investigator)
    first = client.get(LIST)
    assert first.context["page"].links.next
    second = client.get(LIST + first.context["page"].links.next)
    seen = [o.pk for o in first.context["page"]] + [o.pk for o in second.context["page"]]
    assert len(seen) == len(set(seen)) == 4


def test_partner_sees_nothing_before_a_share_and_the_object_after(world, graph, client_for):
    client = client_for(world.partner.investigator)
    assert "Emotet loader" not in names(client.get(LIST))
    share_with_partner(world, graph.malware)
    page = names(client.get(LIST))
    assert "Emotet loader" in page and "TA-505" not in page


def test_the_outsider_lists_only_its_own(world, graph, client_for):
    share_with_partner(world, graph.malware)
    page = names(client_for(world.outsider.investigator).get(LIST))
    assert "Emotet loader" not in page and "banker" in page


# --- the object's page -----------------------------------------------------------------------


def test_the_owner_sees_properties_markings_versions_and_relationships(world, graph, client_for):
    response = client_for(world.owner.investigator).get(detail(graph.malware))
    assert response.status_code == 200
    page = names(response)
    assert "is_family" in page and "Emotet loader" in page
    assert "TLP:AMBER" in page and "PAP:AMBER" in page and "H0 – for police" in page
    # Incoming: the owner's relationships to it (from the actor and the indicator).
    assert detail(graph.uses) in page and detail(graph.indicates) in page
    # Versions: the one recorded at import, latest.
    (version,) = response.context["versions"]
    assert version.is_latest and version.version == "2026-01-01T00:00:00.000Z"
    assert 'id="shares"' in page and "Not shared." in page
    assert f"?objects={graph.malware.pk}" in page  # Share…
    assert reverse("stix_object_revoke", args=[graph.malware.pk]) in page


def test_a_visible_reference_is_a_link_an_invisible_one_reads_like_an_unknown_id(
    world, graph, client_for
):
    client = client_for(world.owner.investigator)
    uses = names(client.get(detail(graph.uses)))
    assert f'<a href="{detail(graph.malware)}"><code>{graph.malware.stix_id}</code></a>' in uses
    assert f'<a href="{detail(graph.actor)}"><code>{graph.actor.stix_id}</code></a>' in uses
    hidden = names(client.get(detail(graph.to_hidden)))
    unknown = names(client.get(detail(graph.to_unknown)))
    wording = f'<small class="not-visible">({views.NOT_VISIBLE})</small>'
    assert f"<code>{graph.hidden.stix_id}</code> {wording}" in hidden
    assert f"<code>{graph.unknown_id}</code> {wording}" in unknown
    assert detail(graph.hidden) not in hidden
    # The relationships differ only by the ids (the target's, the relationship's own).
    hidden_rows = relationships(hidden, graph.to_hidden, graph.hidden.stix_id)
    unknown_rows = relationships(unknown, graph.to_unknown, graph.unknown_id)
    assert hidden_rows == unknown_rows


def test_a_typed_indicator_target_links_to_the_indicator_page(world, graph, client_for):
    page = names(client_for(world.owner.investigator).get(detail(graph.indicates)))
    assert f'<a href="{graph.indicator.get_absolute_url()}">' in page


def test_incoming_relationships_from_invisible_objects_are_not_listed(world, graph, client_for):
    page = names(client_for(world.owner.investigator).get(detail(graph.malware)))
    assert graph.hidden_rel.stix_id not in page and detail(graph.hidden_rel) not in page
    # The outsider, who sees its own relationship, does not see the owner's malware page.
    assert client_for(world.outsider.investigator).get(detail(graph.malware)).status_code == 404


def test_the_indicator_page_links_objects_that_refer_to_it(world, graph, client_for):
    page = names(client_for(world.owner.investigator).get(graph.indicator.get_absolute_url()))
    assert "STIX objects that refer to this indicator" in page and detail(graph.indicates) in page


def test_partner_gets_404_before_a_share_and_the_page_without_shares_after(
    world, graph, client_for
):
    client = client_for(world.partner.investigator)
    assert client.get(detail(graph.malware)).status_code == 404
    share_with_partner(world, graph.malware)
    response = client.get(detail(graph.malware))
    assert response.status_code == 200
    page = names(response)
    assert 'id="shares"' not in page and "NL-NHTCU" not in page.split("<h2>Versions")[1]
    assert "Share…" not in page and "Revoke…" not in page
    # Its incoming relationships are the owner's, which the partner does not see.
    assert detail(graph.uses) not in page


def test_outsider_and_unknown_ids_are_the_same_404(world, graph, client_for):
    client = client_for(world.outsider.investigator)
    hidden = client.get(detail(graph.malware))
    missing = client.get(reverse("stix_object_detail", args=[10**9]))
    assert hidden.status_code == missing.status_code == 404
    assert without_csrf(hidden) == without_csrf(missing)


# --- sharing and withdrawing -----------------------------------------------------------------


def test_the_owner_shares_a_malware_object_through_the_share_dialog_and_withdraws_it(
    world, graph, client_for
):
    client = client_for(world.owner.investigator)
    url = reverse("indicator_share") + f"?objects={graph.malware.pk}"
    dialog = client.get(url)
    assert dialog.status_code == 200 and "Share 1 STIX object" in names(dialog)
    preview = client.post(url, {"agencies": [world.partner.agency.pk], "action": "preview"})
    assert preview.status_code == 200 and 'id="preview"' in names(preview)
    shared = client.post(url, {"agencies": [world.partner.agency.pk], "action": "share"})
    assert shared.status_code == 302 and shared["Location"] == detail(graph.malware)
    share = Share.objects.get(stix_objects=graph.malware)
    assert AuditEvent.objects.filter(action="stix_object.shared", object_id=str(share.pk)).exists()
    partner = client_for(world.partner.investigator)
    assert partner.get(detail(graph.malware)).status_code == 200
    client = client_for(world.owner.investigator)
    page = names(client.get(detail(graph.malware)))
    assert "NL-NHTCU" in page and "active" in page
    withdraw = reverse("stix_object_share_withdraw", args=[graph.malware.pk, share.pk])
    assert client.post(withdraw).status_code == 302
    assert "withdrawn" in names(client.get(detail(graph.malware)))
    partner = client_for(world.partner.investigator)
    assert partner.get(detail(graph.malware)).status_code == 404
    assert "Emotet loader" not in names(partner.get(LIST))


def test_the_share_dialog_refuses_an_outsider_and_a_partner(world, graph, client_for):
    share_with_partner(world, graph.malware)
    url = reverse("indicator_share") + f"?objects={graph.malware.pk}"
    assert client_for(world.outsider.investigator).get(url).status_code == 404
    assert client_for(world.partner.investigator).get(url).status_code == 403
    hidden = reverse("indicator_share") + f"?objects={graph.hidden.pk}"
    assert client_for(world.owner.investigator).get(hidden).status_code == 404


def test_withdrawal_is_the_owners_only(world, graph, client_for):
    share = share_with_partner(world, graph.malware)
    withdraw = reverse("stix_object_share_withdraw", args=[graph.malware.pk, share.pk])
    assert client_for(world.outsider.investigator).post(withdraw).status_code == 404
    assert client_for(world.partner.investigator).post(withdraw).status_code == 403
    share.refresh_from_db()
    assert share.withdrawn_at is None


def test_an_amber_strict_object_is_refused_in_the_dialog_naming_it(world, graph, client_for):
    StixObject.objects.filter(pk=graph.actor.pk).update(tlp="AMBER+STRICT")
    url = reverse("indicator_share") + f"?objects={graph.actor.pk}"
    response = client_for(world.owner.investigator).post(
        url, {"agencies": [world.partner.agency.pk], "action": "share"}
    )
    assert response.status_code == 400 and "TA-505" in names(response)
    assert not Share.objects.filter(stix_objects=graph.actor).exists()


# --- revoking --------------------------------------------------------------------------------


def test_revoke_asks_for_confirmation_then_revokes_with_a_new_version(world, graph, client_for):
    share_with_partner(world, graph.malware)
    client = client_for(world.owner.investigator)
    url = reverse("stix_object_revoke", args=[graph.malware.pk])
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Revoke Emotet loader?" in names(confirm)
    assert "partners polling TAXII see it revoked" in names(confirm)
    assert "1 partner agency sees only the revoked version" in names(confirm)
    graph.malware.refresh_from_db()
    assert not graph.malware.revoked  # a GET changes nothing
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == detail(graph.malware)
    graph.malware.refresh_from_db()
    assert graph.malware.revoked and graph.malware.body["revoked"] is True
    assert graph.malware.body["modified"] > "2026-01-01T00:00:00.000Z"
    latest = ObjectVersion.objects.get(stix_object=graph.malware, is_latest=True)
    assert latest.version == graph.malware.body["modified"]
    assert json.loads(latest.body)["revoked"] is True
    assert ObjectVersion.objects.filter(stix_object=graph.malware).count() == 2
    assert AuditEvent.objects.filter(action="stix_object.revoked").exists()
    page = names(client.get(detail(graph.malware)))
    assert "revoked" in page and "Revoke…" not in page
    # Recipients lose it from the pages (TAXII keeps its revoked version for them).
    assert client_for(world.partner.investigator).get(detail(graph.malware)).status_code == 404


def test_revoke_is_the_owners_only(world, graph, client_for):
    share_with_partner(world, graph.malware)
    url = reverse("stix_object_revoke", args=[graph.malware.pk])
    assert client_for(world.outsider.investigator).get(url).status_code == 404
    assert client_for(world.outsider.investigator).post(url).status_code == 404
    assert client_for(world.partner.investigator).get(url).status_code == 403
    assert client_for(world.partner.investigator).post(url).status_code == 403
    graph.malware.refresh_from_db()
    assert not graph.malware.revoked


@pytest.fixture
def unversioned(world, eu_agreement):
    """The owner's cyber observable and marking definition: STIX versions neither."""
    observable, marking = ipv4_observable("198.51.100.79"), statement_marking("Need to know")
    stored = load(world.owner, observable, marking)
    return stored[observable["id"]], stored[marking["id"]]


def test_an_object_without_versions_offers_its_owner_no_revoke(world, unversioned, client_for):
    client = client_for(world.owner.investigator)
    for stix_object in unversioned:
        page = names(client.get(detail(stix_object)))
        assert "Share…" in page
        assert "Revoke…" not in page
        assert reverse("stix_object_revoke", args=[stix_object.pk]) not in page


@pytest.mark.parametrize(
    ("which", "message"),
    [
        (0, "A cyber observable has no versions: withdraw its shares instead."),
        (1, "A marking definition has no versions: withdraw its shares instead."),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_revoking_an_object_without_versions_sends_the_owner_back_with_the_reason(
    world, unversioned, client_for, which, message, method
):
    stix_object = unversioned[which]
    share_with_partner(world, stix_object)
    client = client_for(world.owner.investigator)
    url = reverse("stix_object_revoke", args=[stix_object.pk])
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"] == detail(stix_object)
    page = names(client.get(response["Location"]))
    assert message in page
    assert "revoked version" not in page
    stix_object.refresh_from_db()
    assert not stix_object.revoked and "revoked" not in stix_object.body
    assert not AuditEvent.objects.filter(action="stix_object.revoked").exists()


def test_revoking_an_object_without_versions_is_still_hidden_from_partner_and_outsider(
    world, unversioned, client_for
):
    observable, marking = unversioned
    share_with_partner(world, observable)
    for stix_object in unversioned:
        url = reverse("stix_object_revoke", args=[stix_object.pk])
        outsider = client_for(world.outsider.investigator)
        assert outsider.get(url).status_code == 404
        assert outsider.post(url).status_code == 404
    # The partner sees the shared observable (not the owner's: 403) and not the marking.
    partner = client_for(world.partner.investigator)
    observable_url = reverse("stix_object_revoke", args=[observable.pk])
    assert partner.get(observable_url).status_code == 403
    assert partner.post(observable_url).status_code == 403
    assert partner.get(reverse("stix_object_revoke", args=[marking.pk])).status_code == 404
    assert partner.post(reverse("stix_object_revoke", args=[marking.pk])).status_code == 404
    for stix_object in unversioned:
        stix_object.refresh_from_db()
        assert not stix_object.revoked
