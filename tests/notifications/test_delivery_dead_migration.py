"""The migration that makes a dead delivery a kind of its own: stored "dead" rows move to it,
"failing" ones stay, neither keeps its variant; and back."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from notifications.models import Notification

pytestmark = pytest.mark.django_db
Kind = Notification.Kind
migration = importlib.import_module("notifications.migrations.0002_delivery_dead_kind")


def stored(user, kind: str, variant: str, endpoint_id: int = 1) -> Notification:
    return Notification.objects.create(
        user=user,
        kind=kind,
        subject="NL SOC",
        link="/",
        params={"variant": variant, "endpoint": "NL SOC", "agency": "NL-NHTCU", "error_label": ""},
        object_type="agencies.partnerendpoint",
        object_id=endpoint_id,
    )


def test_stored_dead_rows_become_the_dead_kind_and_both_kinds_lose_their_variant(world):
    failing = stored(world.partner.admin, Kind.DELIVERY_FAILING, "failing", endpoint_id=1)
    dead = stored(world.partner.admin, Kind.DELIVERY_FAILING, "dead", endpoint_id=2)
    migration.split(apps, None)
    failing.refresh_from_db()
    dead.refresh_from_db()
    assert (failing.kind, dead.kind) == (Kind.DELIVERY_FAILING, Kind.DELIVERY_DEAD)
    assert "variant" not in failing.params and "variant" not in dead.params
    assert dead.sentence.startswith("A delivery to the endpoint “NL SOC” of NL-NHTCU is dead")
    assert failing.sentence.startswith("Deliveries to the endpoint “NL SOC” of NL-NHTCU are")


def test_going_back_keeps_the_dead_row_unread_where_both_kinds_are_unread(world):
    failing = stored(world.partner.admin, Kind.DELIVERY_FAILING, "")
    dead = stored(world.partner.admin, Kind.DELIVERY_DEAD, "")
    migration.join(apps, None)
    failing.refresh_from_db()
    dead.refresh_from_db()
    assert failing.kind == dead.kind == Kind.DELIVERY_FAILING
    assert (failing.params["variant"], dead.params["variant"]) == ("failing", "dead")
    assert failing.read_at is not None and dead.read_at is None
