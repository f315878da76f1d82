"""The indicator's owner, provenance and owner permission rows have no database constraints
(they cost a large ingest's commit): Django still protects, nulls and cascades on deletion,
and what they point to cannot go while they exist."""

from __future__ import annotations

import pytest
from django.db.models import ProtectedError

from agencies.services import api_key_issue
from sharing.ingest import indicators_ingest
from sharing.models import Indicator, IndicatorGroupObjectPermission


def _ingest(side, **kwargs) -> Indicator:
    report = indicators_ingest(
        actor=side.investigator,
        agency=side.agency,
        items=[{"type": "domain", "value": "integrity.example"}],
        **kwargs,
    )
    return report.created[0]


def test_deleting_an_indicator_deletes_its_permission_rows(world):
    indicator = _ingest(world.owner)
    assert IndicatorGroupObjectPermission.objects.filter(content_object=indicator).exists()
    indicator.delete()
    assert not IndicatorGroupObjectPermission.objects.filter(
        content_object_id=indicator.pk
    ).exists()


def test_an_agency_that_owns_indicators_cannot_be_deleted(world):
    _ingest(world.owner)
    with pytest.raises(ProtectedError):
        world.owner.agency.delete()


def test_a_deleted_key_leaves_the_indicator_without_it_and_its_user_cannot_be_deleted(world):
    key, _ = api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.investigator, name="feed"
    )
    indicator = _ingest(world.owner, api_key=key)
    key.delete()
    indicator.refresh_from_db()
    assert indicator.source_api_key_id is None
    with pytest.raises(ProtectedError):  # the ingest's audit event names the user
        world.owner.investigator.delete()


def test_the_owners_group_of_permission_rows_cannot_be_deleted(world):
    indicator = _ingest(world.owner)
    row = IndicatorGroupObjectPermission.objects.get(content_object=indicator)
    with pytest.raises(ProtectedError):  # the agency holds its group
        row.group.delete()
