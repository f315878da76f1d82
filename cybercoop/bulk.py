"""Fast bulk inserts for hot paths (permission rows, outbox items, ingest).

PostgreSQL gets ``COPY … FROM STDIN`` (no model instances, one round trip); other
databases fall back to ``bulk_create``. Rows are tuples in ``fields`` order.
"""

from __future__ import annotations

import io
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
    return str(value).translate(_ESCAPES)


def copy_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert rows (no pks returned); returns how many."""
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=5000
        )
        return len(rows)
    columns = ", ".join(
        connection.ops.quote_name(model._meta.get_field(name).column) for name in fields
    )
    buffer = io.StringIO()
    buffer.writelines("\t".join(_copy_value(v) for v in row) + "\n" for row in rows)
    buffer.seek(0)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
    return len(rows)
