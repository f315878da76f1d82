"""Over TAXII, a withdrawn share takes a cyber observable or a marking definition (objects
STIX 2.1 gives no versions, so no revoked one) out of the partner's collection as any unshared
object leaves it: no tombstone version is recorded, and the owner's copy stays as it was."""

from __future__ import annotations

import pytest

from sharing import services
from tests.interop.object_graph import (
    ipv4_observable,
    load,
    share_with_partner,
    statement_marking,
)
from tests.interop.taxii_http import collection_url, get

pytestmark = pytest.mark.django_db


def test_a_withdrawn_object_without_versions_leaves_the_partners_collection_only(
    world, eu_agreement, key_for, client
):
    observable, marking = ipv4_observable("198.51.100.78"), statement_marking("Need to know")
    stored = load(world.owner, observable, marking)
    share = share_with_partner(world, *stored.values())
    keys = {side: key_for(getattr(world, side)) for side in ("owner", "partner", "outsider")}

    def ids(side: str, kind: str) -> set[str]:
        """Which of the two objects the collection holds (a marking definition is no context)."""
        response = get(client, collection_url(keys[side], kind), keys[side])
        assert response.status_code == 200, response.content
        return {o["id"] for o in response.json().get("objects", [])} & set(stored)

    def versions(stix_id: str) -> list[str]:
        url = collection_url(keys["owner"], "own", f"objects/{stix_id}/versions/")
        return get(client, url, keys["owner"]).json()["versions"]

    wanted = set(stored)
    before = {stix_id: versions(stix_id) for stix_id in wanted}
    assert ids("partner", "shared") == wanted
    assert ids("outsider", "shared") == set()
    services.share_withdraw(actor=world.owner.investigator, share=share)
    assert ids("partner", "shared") == set()
    assert ids("outsider", "shared") == set()
    for stix_id in wanted:
        url = collection_url(keys["partner"], "shared", f"objects/{stix_id}/")
        assert get(client, url, keys["partner"]).status_code == 404
    assert ids("owner", "own") == wanted
    assert {stix_id: versions(stix_id) for stix_id in wanted} == before
    assert all(len(v) == 1 for v in before.values())
