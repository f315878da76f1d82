"""Fast bulk inserts for hot paths (permission rows, outbox items, ingest).

PostgreSQL gets ``COPY … FROM STDIN`` (no model instances, one round trip); other
databases fall back to ``bulk_create``. Rows are tuples in ``fields`` order.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value: Any) -> str:
    if type(value) is int:
        return str(value)
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | dict):
        return json.dumps(value).translate(_ESCAPES)
    return str(value).translate(_ESCAPES)


def _int(value: Any) -> str:
    return "\\N" if value is None else str(value)


def _bool(value: Any) -> str:
    return "\\N" if value is None else ("t" if value else "f")


def _converter(sample: Any):
    """A per-column formatter chosen from the first row (ids and flags are the hot case)."""
    if type(sample) is int:
        return _int
    if type(sample) is bool:
        return _bool
    return _copy_value


def copy_instances(model: type[models.Model], objs: Sequence[models.Model]) -> None:
    """Insert unsaved instances and set their pks: ids drawn from the table's sequence,
    then one COPY (PostgreSQL); ``bulk_create`` elsewhere."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=5000)
        return
    if not objs:
        return
    pk = model._meta.pk
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, pk.column, len(objs)],
        )
        for obj, (value,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = value
    fields = [pk, *(f for f in model._meta.concrete_fields if not f.primary_key)]
    copy_rows(
        model, [f.name for f in fields], ([getattr(o, f.attname) for f in fields] for o in objs)
    )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"


def copy_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert rows (no pks returned); returns how many."""
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        attnames = [model._meta.get_field(name).attname for name in fields]
        model.objects.bulk_create(
            [model(**dict(zip(attnames, row, strict=True))) for row in rows], batch_size=5000
        )
        return len(rows)
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in fields
    )
    converters = [_converter(value) for value in rows[0]]
    buffer = io.StringIO()
    buffer.writelines(
        "\t".join([convert(v) for convert, v in zip(converters, row, strict=True)]) + "\n"
        for row in rows
    )
    buffer.seek(0)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
    return len(rows)
