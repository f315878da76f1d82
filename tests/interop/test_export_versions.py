"""``export_versions`` reads from the caller's side (the visible ids, then their versions); it
must return exactly the latest non-context versions that ``versions_visible_to`` allows."""

from __future__ import annotations

import pytest
from django.db.models import QuerySet

from interop.models import ObjectVersion
from interop.selectors import export_versions, versions_visible_to
from sharing import services
from sharing.models import Indicator
from tests.interop import object_graph

pytestmark = pytest.mark.django_db


def _ids(versions: QuerySet[ObjectVersion]) -> set[int]:
    return set(versions.values_list("pk", flat=True))


def test_export_versions_are_exactly_the_latest_versions_each_reader_may_see(
    world, eu_agreement, add_indicators, share_with
):
    graph = object_graph.build(world)
    object_graph.share_with_partner(world, graph.malware, graph.uses)
    green = add_indicators(world.owner, [{"type": "domain", "value": "green.example"}])
    revoked = add_indicators(world.owner, [{"type": "domain", "value": "revoked.example"}])
    withdrawn = add_indicators(world.owner, [{"type": "domain", "value": "gone.example"}])
    red = add_indicators(world.owner, [{"type": "domain", "value": "red.example"}], tlp="RED")
    add_indicators(world.owner, [{"type": "domain", "value": "unshared.example"}])
    add_indicators(world.outsider, [{"type": "domain", "value": "outsider.example"}])
    share_with(world.owner, green + revoked, [world.partner.agency])
    services.share_withdraw(
        actor=world.owner.investigator,
        share=share_with(world.owner, withdrawn, [world.partner.agency]),
    )
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=red,
        spec=services.ShareSpec(users=[world.partner.investigator]),
    )
    services.indicator_revoke(actor=world.owner.investigator, indicator=revoked[0])

    readers = [
        (side.investigator, agency)
        for side in (world.owner, world.partner, world.outsider)
        for agency in (side.agency, None)
    ]
    for user, agency in readers:
        expected = versions_visible_to(user=user, agency=agency).filter(
            is_latest=True, context=False
        )
        assert _ids(export_versions(user=user, agency=agency)) == _ids(expected), (user, agency)

    partner = export_versions(user=world.partner.investigator, agency=world.partner.agency)
    seen = set(partner.values_list("stix_id", flat=True))
    revoked_indicator = Indicator.objects.get(pk=revoked[0].pk)
    assert {graph.malware.stix_id, graph.uses.stix_id, green[0].stix_id} <= seen
    assert {red[0].stix_id, revoked_indicator.stix_id} <= seen
    assert withdrawn[0].stix_id not in seen and graph.actor.stix_id not in seen
    outsider = export_versions(user=world.outsider.investigator, agency=world.outsider.agency)
    assert outsider and {v.owner_id for v in outsider} == {world.outsider.agency.pk}
