"""``versions_visible_to`` and ``export_versions`` read from the caller's side (the visible ids,
then their versions); they must answer exactly what sharing's correlated rule
(``*_visible_exists``, with ``history``) and the context rule (the identities of agencies the
caller may know, the definitions beside them) answer row by row."""

from __future__ import annotations

import pytest
from django.db.models import Exists, Q, QuerySet

from interop.models import ObjectVersion
from interop.selectors import export_versions, versions_visible_to
from sharing import services
from sharing.models import Indicator
from sharing.selectors import (
    indicator_visible_exists,
    shared_with_exists,
    stix_object_visible_exists,
)
from tests.interop import object_graph

pytestmark = pytest.mark.django_db


def _ids(versions: QuerySet[ObjectVersion]) -> set[int]:
    return set(versions.values_list("pk", flat=True))


def _by_the_row(user: object, agency: object) -> QuerySet[ObjectVersion]:
    """The rule probed on every version (what the selectors answered before)."""
    kwargs = {"user": user, "agency": agency, "history": True}
    known = Q(shared_with_exists(user=user, agency=agency, ref="owner_id"), context=True)
    any_identity = ObjectVersion.objects.filter(known, object_type="identity")
    return ObjectVersion.objects.filter(
        Q(Exists(any_identity), context=True, owner__isnull=True)
        | known
        | indicator_visible_exists(ref="indicator_id", **kwargs)
        | stix_object_visible_exists(ref="stix_object_id", **kwargs)
    )


def test_taxii_and_export_versions_are_exactly_what_the_rule_gives_each_reader(
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
        expected = _by_the_row(user, agency)
        assert _ids(versions_visible_to(user=user, agency=agency)) == _ids(expected)
        latest = expected.filter(is_latest=True, context=False)
        assert _ids(export_versions(user=user, agency=agency)) == _ids(latest), (user, agency)

    partner = export_versions(user=world.partner.investigator, agency=world.partner.agency)
    seen = set(partner.values_list("stix_id", flat=True))
    revoked_indicator = Indicator.objects.get(pk=revoked[0].pk)
    assert {graph.malware.stix_id, graph.uses.stix_id, green[0].stix_id} <= seen
    assert {red[0].stix_id, revoked_indicator.stix_id} <= seen
    assert withdrawn[0].stix_id not in seen and graph.actor.stix_id not in seen
    outsider = export_versions(user=world.outsider.investigator, agency=world.outsider.agency)
    assert outsider and {v.owner_id for v in outsider} == {world.outsider.agency.pk}
