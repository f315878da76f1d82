"""``field__any``: the same rows as ``field__in``, with the list sent as one array parameter."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Agency, Membership
from common import lookups  # noqa: F401


def test_any_finds_what_in_finds_with_one_parameter_for_the_whole_list(world):
    ids = list(Agency.objects.values_list("pk", flat=True)) + [10**9]
    with CaptureQueriesContext(connection) as queries:
        found = set(Agency.objects.filter(pk__any=ids).values_list("pk", flat=True))
    assert found == set(Agency.objects.filter(pk__in=ids).values_list("pk", flat=True))
    assert len(found) == len(ids) - 1
    assert "= ANY(" in queries.captured_queries[0]["sql"]


def test_any_works_through_a_foreign_key_and_on_an_empty_list(world):
    agency = world.owner.agency
    members = Membership.objects.filter(agency_id__any=[agency.pk])
    assert set(members) == set(Membership.objects.filter(agency=agency))
    assert not Membership.objects.filter(agency_id__any=[]).exists()
