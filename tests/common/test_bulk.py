"""``common.bulk``: COPY writes every kind of column value as the database would store it, and
bulk instances are the instances Django's constructor builds."""

from __future__ import annotations

import gc
from datetime import UTC, datetime

import pytest
from django.db import DataError, IntegrityError, transaction
from django.db.models import signals

from agencies.models import TLP
from common.bulk import (
    collector_paused,
    copies_in_background,
    copy_instances,
    copy_rows,
    new_instance,
    reserve_ids,
)
from sharing.models import StixObject, StixReference


def _object_values(world, **overrides):
    stamp = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    values = {
        "owner_id": world.owner.agency.pk,
        "stix_id": "malware--6b2c4b23-5f8a-4a4e-9a6f-3c4a1d2b3c4d",
        "type": "malware",
        "name": "Emotet",
        "tlp": TLP.GREEN,
        "created": stamp,
        "modified": stamp,
        "body": {"type": "malware", "name": "Emotet", "is_family": True},
    }
    return values | overrides


def test_copy_rows_keeps_tabs_newlines_backslashes_nulls_and_json_as_they_were(world):
    source = StixObject.objects.create(**_object_values(world))
    rows = [
        (source.pk, "x--1", "plain"),
        (source.pk, "x--2\tafter a tab", "line\nbreak"),
        (source.pk, "back\\slash\r", "object_refs"),
    ]
    assert copy_rows(StixReference, ["source", "target", "property"], rows) == 3
    stored = StixReference.objects.filter(source=source).order_by("pk")
    assert [(r.source_id, r.target, r.property) for r in stored] == rows


def test_copy_rows_writes_json_documents_times_choices_flags_and_empty_foreign_keys(world):
    body = {"name": "tab\there", "path": "C:\\temp", "labels": ["a\nb"], "revoked": False}
    stamp = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    fields = ["owner", "stix_id", "type", "tlp", "created", "modified", "revoked", "body"]
    fields += ["created_by", "name", "pattern_type", "pap", "handling_code"]
    base = (world.owner.agency.pk, "tool--1", "tool", TLP.RED, stamp, stamp, True, body, None)
    rows = [(*base, "", "", "AMBER", "H0"), (*base[:1], "tool--2", *base[2:], "n", "", "RED", "H1")]
    copy_rows(StixObject, fields, rows)
    first, second = StixObject.objects.filter(stix_id__in=["tool--1", "tool--2"]).order_by("pk")
    assert first.body == body and first.tlp == "RED" and first.revoked is True
    assert first.created == stamp and first.created_by_id is None
    assert (second.name, second.pap, second.handling_code) == ("n", "RED", "H1")


def test_a_time_column_writes_each_rows_own_time_when_times_repeat_and_change(world):
    one = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)
    two = datetime(2027, 6, 7, 8, 9, 10, tzinfo=UTC)
    equal_to_one = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=UTC)  # another object
    created = [one, one, two, equal_to_one, one, two]
    modified = [two, two, one, one, equal_to_one, two]
    fields = ["owner", "stix_id", "type", "tlp", "created", "modified", "body"]
    fields += ["name", "pattern_type", "pap", "handling_code", "revoked"]
    rows = [
        (world.owner.agency.pk, f"tool--{n}", "tool", TLP.RED, c, m, {}, "", "", "RED", "H0", False)
        for n, (c, m) in enumerate(zip(created, modified, strict=True))
    ]
    copy_rows(StixObject, fields, rows)
    stored = StixObject.objects.filter(type="tool").order_by("stix_id")
    assert [(o.created, o.modified) for o in stored] == list(zip(created, modified, strict=True))


def test_copy_rows_refuses_a_row_shorter_than_its_columns_and_writes_nothing(world):
    source = StixObject.objects.create(**_object_values(world))
    rows = [(source.pk, "x--1", "plain"), (source.pk, "x--2")]
    with pytest.raises(DataError, match="missing data for column"), transaction.atomic():
        copy_rows(StixReference, ["source", "target", "property"], rows)
    assert not StixReference.objects.filter(source=source).exists()


def test_copy_rows_raises_a_duplicate_key_as_djangos_integrity_error(world):
    """What the ingest API turns into a 409 when another request stored the same ids."""
    StixObject.objects.create(**_object_values(world))
    values = _object_values(world)
    fields = [*values.keys(), "revoked", "pattern_type", "pap", "handling_code"]
    fields[0] = "owner"
    row = (*values.values(), False, "", "RED", "H0")
    with pytest.raises(IntegrityError, match="duplicate key"), transaction.atomic():
        copy_rows(StixObject, fields, [row])


def test_a_bulk_instance_equals_what_the_model_constructor_builds(world):
    values = _object_values(world)
    fast, django = new_instance(StixObject, values), StixObject(**values)
    for field in StixObject._meta.concrete_fields:
        assert getattr(fast, field.attname) == getattr(django, field.attname), field.name
    assert fast._state.adding and fast.pk is None and fast.owner == world.owner.agency
    fast.save()
    assert StixObject.objects.get(pk=fast.pk).body == values["body"]


def test_a_bulk_instance_goes_through_the_constructor_when_a_receiver_listens(world):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    signals.post_init.connect(receiver, sender=StixObject)
    try:
        built = new_instance(StixObject, _object_values(world))
    finally:
        signals.post_init.disconnect(receiver, sender=StixObject)
    assert seen == [built]


def test_collection_is_paused_inside_the_block_and_resumes_after_it_even_on_an_error():
    assert gc.isenabled()
    with pytest.raises(ValueError, match="inside"), collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # a nested block leaves resuming to the outermost
            pass
        assert not gc.isenabled()
        raise ValueError("inside")
    assert gc.isenabled()


def _references(source, count, start=0):
    return [(source.pk, f"x--{n}", "object_refs") for n in range(start, start + count)]


def test_copies_in_background_are_in_before_the_blocks_next_statement_reads(world):
    source = StixObject.objects.create(**_object_values(world))
    with copies_in_background():
        copy_rows(StixReference, ["source", "target", "property"], _references(source, 5000))
        copy_rows(StixReference, ["source", "target", "property"], _references(source, 10, 5000))
        # The count waits for both COPYs (five thousand rows are sent in three chunks).
        assert StixReference.objects.filter(source=source).count() == 5010
    assert StixReference.objects.filter(target="x--5009").exists()


def test_a_background_copy_that_fails_raises_djangos_error_at_the_next_statement(world):
    """The ingest API's 409 for a concurrent write holds inside an import too; the COPY handed
    over after the failing one is not sent, and the transaction is rolled back."""
    StixObject.objects.create(**_object_values(world))
    values = _object_values(world)
    fields = ["owner", *list(values)[1:], "revoked", "pattern_type", "pap", "handling_code"]
    row = (*values.values(), False, "", "RED", "H0")
    later = (*_object_values(world, stix_id="tool--9").values(), False, "", "RED", "H0")
    failing = pytest.raises(IntegrityError, match="one_stix_copy_per_owner")
    with failing, transaction.atomic(), copies_in_background():
        copy_rows(StixObject, fields, [row])
        copy_rows(StixObject, fields, [later])
        StixObject.objects.count()
    assert list(StixObject.objects.values_list("stix_id", flat=True)) == [values["stix_id"]]


class _Unprintable:
    def __str__(self) -> str:
        raise ValueError("cannot be written")


def test_an_error_while_formatting_rows_abandons_their_copy_and_the_connection_goes_on(world):
    source = StixObject.objects.create(**_object_values(world))
    rows = [*_references(source, 3000), (source.pk, _Unprintable(), "object_refs")]
    failing = pytest.raises(ValueError, match="cannot be written")
    with failing, transaction.atomic(), copies_in_background():
        copy_rows(StixReference, ["source", "target", "property"], rows)
    assert StixReference.objects.filter(source=source).count() == 0
    assert copy_rows(StixReference, ["source", "target", "property"], rows[:2]) == 2


def test_reserved_ids_are_new_and_bulk_instances_take_them_in_order(world):
    first, second = reserve_ids(StixObject, 3), reserve_ids(StixObject, 2)
    assert len(set(first + second)) == 5 and first == sorted(first) and second[0] > first[-1]
    objects = [
        new_instance(StixObject, _object_values(world, stix_id=f"tool--{n}")) for n in (1, 2)
    ]
    ids = iter(first)
    copy_instances(StixObject, objects, ids)
    assert [o.pk for o in objects] == first[:2] and next(ids) == first[2]
    assert set(StixObject.objects.values_list("pk", flat=True)) == set(first[:2])
