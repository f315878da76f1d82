"""Keyset (cursor) pagination for every list, REST and HTML: no OFFSET, no COUNT(*).

A page is ``WHERE key after <cursor> ORDER BY key LIMIT size + 1`` on an indexed, unique
sort key (``-id`` unless a list says otherwise), so the first page and every later one read
O(page size) index entries however large the visible set. The cursor is opaque to clients
(url-safe base64 of JSON: direction and the key of the row it continues from); a tampered
cursor raises ``InvalidCursor``, which the API answers 400 and the pages with their first
page. The one extra row tells whether there is more, so no total is ever counted.

A list ordered by ``-id`` whose rows are reached through grant indexes can also pass a
``Window`` (``grant_window``): the ids the page can hold, read per grant holder (a group, a
share, …) from the holder's own index range, so a caller who sees a few rows among millions
reads O(page size × holders) index entries, not the id index down to their rows.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL
from django.http import HttpRequest
from django.utils import timezone

INVALID_CURSOR = "Invalid cursor."
CURSOR_MAX_LENGTH = 1000


class InvalidCursor(ValueError):
    """The cursor was not made by us (or refers to a key of another type)."""


@dataclass(frozen=True)
class Cursor:
    position: tuple[Any, ...]
    reverse: bool = False


@dataclass
class PageLinks:
    """Query strings of the neighbouring pages, keeping every other parameter (filters)."""

    first: str | None
    previous: str | None
    next: str | None


@dataclass
class KeysetPage:
    """One page: its rows, and cursors to the neighbouring pages (``None`` at an end)."""

    object_list: list[Any]
    next_cursor: str | None = None
    previous_cursor: str | None = None
    is_first: bool = True
    links: PageLinks | None = None

    def __iter__(self) -> Any:
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None


# (id the page continues from or None, ascending, count) -> an ``id__in`` right-hand side
# holding every id of the page.
Window = Callable[[int | None, bool, int], Any]


@dataclass(frozen=True)
class Grants:
    """One way a caller reaches objects: for each id in ``holders`` (the caller's groups,
    the shares whose audience holds them, …; ``None``: ``reached`` needs no holder), the rows
    of ``reached(holder)``, whose ``key`` column is an object's id. ``reached`` must be exact:
    every object it names is visible through this way, and every such object is named."""

    reached: Callable[[Any], QuerySet[Any]]
    key: str
    holders: QuerySet[Any] | None = None


def grant_window(*ways: Grants) -> Window | None:
    """A ``Window`` over the union of ``ways``: each holder's first ``count`` ids beyond the
    cursor, read backwards (or forwards) on the holder's own ``(holder, …, key)`` index by a
    ``LATERAL`` subquery, then the first ``count`` of them all — exactly the page's ids.

    PostgreSQL only (``None`` elsewhere: the small SQLite demo scans the id index)."""
    if connection.vendor != "postgresql":
        return None

    def window(after: int | None, ascending: bool, count: int) -> RawSQL:
        parts: list[str] = []
        params: list[Any] = []
        for number, way in enumerate(ways):
            holder = f"holder{number}"
            rows = way.reached(RawSQL(f"{holder}.id", ()))
            if after is not None:
                rows = rows.filter(**{f"{way.key}__{'gt' if ascending else 'lt'}": after})
            rows = rows.order_by(way.key if ascending else f"-{way.key}")
            inner, inner_params = rows.values_list(way.key)[:count].query.sql_with_params()
            if way.holders is None:
                parts.append(f"SELECT reached.id FROM ({inner}) AS reached(id)")
            else:
                outer, outer_params = way.holders.query.sql_with_params()
                parts.append(
                    f"SELECT reached.id FROM ({outer}) AS {holder}(id) "
                    f"CROSS JOIN LATERAL ({inner}) AS reached(id)"
                )
                params += outer_params
            params += inner_params
        direction = "ASC" if ascending else "DESC"
        union = " UNION ".join(f"({part})" for part in parts)  # an id reached twice counts once
        ids = f"SELECT page.id FROM ({union}) AS page ORDER BY page.id {direction} LIMIT %s"
        # As an array, computed once: the planner then fetches those few rows by primary key
        # instead of scanning the table for the caller's rows and joining the window to them.
        return RawSQL(f"SELECT unnest(ARRAY({ids}))", (*params, count))

    return window


def _key_fields(queryset: QuerySet[Any], ordering: Sequence[str]) -> list[models.Field[Any, Any]]:
    """The model (or annotation) field behind each ordering key, to type cursor values."""
    fields: list[models.Field[Any, Any]] = []
    for key in ordering:
        name = key.lstrip("-")
        annotation = queryset.query.annotations.get(name)
        if annotation is not None:
            fields.append(annotation.output_field)
            continue
        model: Any = queryset.model
        found: Any = None
        for part in name.split("__"):
            found = model._meta.pk if part == "pk" else model._meta.get_field(part)
            model = found.related_model
        if found.is_relation:
            found = found.target_field
        fields.append(found)
    return fields


class _KeyEncoder(DjangoJSONEncoder):
    """Django's encoder, but datetimes to the microsecond (it keeps milliseconds only)."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            return o.isoformat()
        return super().default(o)


def encode_cursor(position: Sequence[Any], *, reverse: bool = False) -> str:
    raw = json.dumps({"r": int(reverse), "p": list(position)}, cls=_KeyEncoder)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str, queryset: QuerySet[Any], ordering: Sequence[str]) -> Cursor:
    """The cursor's key, each value checked against its field's type; else InvalidCursor."""
    if len(text) > CURSOR_MAX_LENGTH:
        raise InvalidCursor(INVALID_CURSOR)
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        data = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        raise InvalidCursor(INVALID_CURSOR) from None
    if not isinstance(data, dict) or data.get("r") not in (0, 1):
        raise InvalidCursor(INVALID_CURSOR)
    values = data.get("p")
    if not isinstance(values, list) or len(values) != len(ordering):
        raise InvalidCursor(INVALID_CURSOR)
    position = []
    for value, key_field in zip(values, _key_fields(queryset, ordering), strict=True):
        if value is None or isinstance(value, dict | list):
            raise InvalidCursor(INVALID_CURSOR)
        try:
            typed = key_field.to_python(value)
            if isinstance(typed, datetime.datetime):
                typed.astimezone(datetime.UTC)  # out of range once in UTC: OverflowError
                if timezone.is_naive(typed):
                    raise ValueError("a key's datetime carries its offset")
        except (ValidationError, TypeError, ValueError, OverflowError):
            raise InvalidCursor(INVALID_CURSOR) from None
        if isinstance(key_field, models.IntegerField) and not -(2**63) <= typed < 2**63:
            raise InvalidCursor(INVALID_CURSOR)
        position.append(typed)
    return Cursor(position=tuple(position), reverse=bool(data["r"]))


def _after(ordering: Sequence[str], position: Sequence[Any], *, reverse: bool) -> Q:
    """Rows strictly after ``position`` in ``ordering`` (before it when ``reverse``).

    ``(a, b) after (x, y)`` is ``a > x OR (a = x AND b > y)``; the redundant ``a >= x`` in
    front lets PostgreSQL bound its index scan on the leading column.
    """
    names = [key.lstrip("-") for key in ordering]
    descending = [key.startswith("-") for key in ordering]

    def beyond(index: int, inclusive: bool = False) -> Q:
        down = descending[index] != reverse
        op = ("lte" if inclusive else "lt") if down else ("gte" if inclusive else "gt")
        return Q(**{f"{names[index]}__{op}": position[index]})

    either = Q()
    for index in range(len(names)):
        equal = {names[j]: position[j] for j in range(index)}
        either |= Q(**equal) & beyond(index)
    if len(names) > 1:
        return beyond(0, inclusive=True) & either
    return either


def _position(obj: Any, ordering: Sequence[str]) -> tuple[Any, ...]:
    values = []
    for key in ordering:
        value = obj
        for part in key.lstrip("-").split("__"):
            value = value[part] if isinstance(value, dict) else getattr(value, part)
        values.append(value)
    return tuple(values)


def _reversed(ordering: Sequence[str]) -> list[str]:
    return [key[1:] if key.startswith("-") else f"-{key}" for key in ordering]


def keyset_page(
    queryset: QuerySet[Any],
    *,
    ordering: Sequence[str] = ("-id",),
    cursor: str | None = None,
    size: int = 50,
    window: Window | None = None,
    last: bool = False,
) -> KeysetPage:
    """The page of ``queryset`` that ``cursor`` points at (the first without one; the last
    with ``last``: the first page of the reversed ordering, read back).

    ``ordering`` must be unique and unchanging (end with the primary key) and its fields
    not null; one query of ``size + 1`` rows, whatever the size of ``queryset``. Going back
    onto a first page that rows have left since (a short page) reads the first page afresh.
    A ``window`` (ordering ``-id`` only) bounds that query to the ids it names; the queryset
    still decides what is visible.
    """
    if last:
        return _last_page(queryset, ordering=ordering, size=size, window=window)
    decoded = decode_cursor(cursor, queryset, ordering) if cursor else None
    reverse = decoded is not None and decoded.reverse
    rows = queryset.order_by(*(_reversed(ordering) if reverse else ordering))
    if decoded is not None:
        rows = rows.filter(_after(ordering, decoded.position, reverse=reverse))
    if window is not None:
        if tuple(ordering) != ("-id",):
            raise ValueError("A window pages by -id only.")
        after = decoded.position[0] if decoded is not None else None
        rows = rows.filter(pk__in=window(after, reverse, size + 1))
    found = list(rows[: size + 1])
    more = len(found) > size
    found = found[:size]
    if reverse and not more and len(found) < size:
        return keyset_page(queryset, ordering=ordering, size=size, window=window)
    if reverse:
        found.reverse()
    has_next = more if not reverse else True
    has_previous = decoded is not None and (more if reverse else True)
    return KeysetPage(
        object_list=found,
        next_cursor=encode_cursor(_position(found[-1], ordering)) if has_next and found else None,
        previous_cursor=(
            encode_cursor(_position(found[0], ordering), reverse=True)
            if has_previous and found
            else None
        ),
        is_first=not has_previous,
    )


def _last_page(
    queryset: QuerySet[Any], *, ordering: Sequence[str], size: int, window: Window | None
) -> KeysetPage:
    """The last page: ``size + 1`` rows from the far end (one query, like any other page)."""
    rows = queryset.order_by(*_reversed(ordering))
    if window is not None:
        if tuple(ordering) != ("-id",):
            raise ValueError("A window pages by -id only.")
        rows = rows.filter(pk__in=window(None, True, size + 1))
    found = list(rows[: size + 1])
    more = len(found) > size
    found = found[:size]
    found.reverse()
    return KeysetPage(
        object_list=found,
        previous_cursor=(
            encode_cursor(_position(found[0], ordering), reverse=True) if more else None
        ),
        is_first=not more,
    )


def page_for_request(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    ordering: Sequence[str] = ("-id",),
    size: int = 50,
    param: str = "cursor",
    window: Window | None = None,
) -> KeysetPage:
    """The HTML lists' page: the cursor from ``?<param>=``; a tampered one gives page one.

    The page's ``links`` keep the request's other parameters (filters, search).
    """
    cursor = request.GET.get(param) or None
    try:
        page = keyset_page(queryset, ordering=ordering, cursor=cursor, size=size, window=window)
    except InvalidCursor:
        page = keyset_page(queryset, ordering=ordering, size=size, window=window)

    def query(value: str | None) -> str:
        params = request.GET.copy()
        params.pop(param, None)
        if value is not None:
            params[param] = value
        return "?" + params.urlencode()

    page.links = PageLinks(
        first=None if page.is_first else query(None),
        previous=query(page.previous_cursor) if page.previous_cursor else None,
        next=query(page.next_cursor) if page.next_cursor else None,
    )
    return page
