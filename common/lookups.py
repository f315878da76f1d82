"""Query helpers: ``field__any=[...]`` (membership in a list sent as one array parameter) and
``RowExists`` (an ``EXISTS`` probed row by row).

``field__in=[...]`` writes one placeholder per value, so a query over 1,000 ids carries 1,000
parameters that Django compiles and the driver quotes one by one, in every subquery that
repeats the list. On PostgreSQL ``field__any`` sends ``field = ANY(%s)`` with the whole list as
one array: the SQL text and its cost no longer grow with the list. Elsewhere it is ``IN``.
Importing this module registers the lookup on every field, foreign keys included.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Exists, Field, ForeignObject, Lookup


class AnyOf(Lookup):  # type: ignore[type-arg]
    lookup_name = "any"
    prepare_rhs = False

    def get_prep_lookup(self) -> list[Any]:
        field = self.lhs.output_field
        return [field.get_prep_value(value) for value in self.rhs]

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        field = self.lhs.output_field  # elsewhere each value as the column stores it (SQLite
        values = [field.get_db_prep_value(v, connection, prepared=True) for v in values]  # UUIDs)
        placeholders = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({placeholders})", [*lhs_params, *values]


Field.register_lookup(AnyOf)
ForeignObject.register_lookup(AnyOf)  # foreign keys look up only their own class's lookups


class RowExists(Exists):
    """``EXISTS``, probed for each outer row, as a page that stops after ``limit`` rows wants.

    PostgreSQL turns a correlated ``EXISTS`` into a hashed subplan when it expects many outer
    rows: it then reads every row the subquery could match (all a reader may see) before the
    first row of the page. ``OFFSET 0`` (which changes no result) keeps it from doing so. A
    query that reads every outer row anyway (an export) is better served by plain ``Exists``.
    """

    template = "EXISTS(%(subquery)s OFFSET 0)"
