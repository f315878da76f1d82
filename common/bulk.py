"""Fast bulk inserts for hot paths (permission rows, outbox items, ingest).

PostgreSQL gets ``COPY … FROM STDIN`` (no model instances, one round trip); other
databases fall back to ``bulk_create``. Rows are tuples in ``fields`` order.
"""

from __future__ import annotations

import functools
import gc
import itertools
import json
import operator
import queue
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import orjson
from django.db import connection, models
from django.db.models import signals

M = TypeVar("M", bound=models.Model)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (reference counting still frees
    everything else): a bulk write allocates hundreds of thousands of dicts and instances that
    live until it ends, and each full collection walked all of them again — 5.5 s of an
    import's 23.6 s of Python CPU for 100k STIX objects (bench/README.md, issue 14). Collection
    resumes after the block (nested blocks leave it to the outermost one)."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _text(value: str) -> str:
    """COPY text format escaping; most values have nothing to escape, so test first."""
    if "\\" in value:
        value = value.replace("\\", "\\\\")
    if "\t" in value or "\n" in value or "\r" in value:
        value = value.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return value


def json_text(value: Any) -> str:
    """Compact JSON text: orjson, about 5× ``json.dumps``; ``json.dumps`` for what orjson
    refuses (integers beyond 64 bits, keys that are not strings, lone surrogates)."""
    try:
        return orjson.dumps(value).decode()
    except TypeError:
        return json.dumps(value)


def _json(value: Any) -> str:
    """A JSON document for a ``jsonb`` column (PostgreSQL parses it: the spelling is not kept)."""
    return _text(json_text(value))


def _any(value: Any) -> str:
    """Any value, by isinstance (subclasses such as str enums land here)."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, list | dict):
        return _json(value)
    return _text(str(value))


# Exact types of the common values -> formatter (one dict lookup instead of a chain of checks).
_FORMATTERS: dict[type, Callable[[Any], str]] = {
    str: _text,
    int: str,
    bool: lambda value: "t" if value else "f",
    type(None): lambda value: "\\N",
    datetime: datetime.isoformat,
    UUID: str,
    list: _json,
    dict: _json,
}


def _copy_value(value: Any) -> str:
    return _FORMATTERS.get(type(value), _any)(value)


def _int(value: Any) -> str:
    return "\\N" if value is None else str(value)


def _bool(value: Any) -> str:
    return "\\N" if value is None else ("t" if value else "f")


def _str(value: Any) -> str:
    return _text(value) if isinstance(value, str) else _copy_value(value)


def _datetimes() -> Callable[[Any], str]:
    """A time column's formatter that formats a value again only when it is another object:
    an import stamps all its rows with one ``now`` (``created_at``, ``updated_at``), and a
    bundle's equal timestamps are parsed into one object (``common.dates``) — ``isoformat``
    costs about 1.2 µs, the identity test 0.02 µs."""
    last_value: Any = None
    last_text = "\\N"

    def convert(value: Any) -> str:
        nonlocal last_value, last_text
        if value is not last_value:
            last_value = value
            last_text = value.isoformat() if type(value) is datetime else _copy_value(value)
        return last_text

    return convert


def _converter(sample: Any) -> Callable[[Any], str]:
    """A per-column formatter chosen from the first row (ids, flags, text and times are the hot
    cases; each still formats any other value a later row may hold)."""
    if type(sample) is int:
        return _int
    if type(sample) is bool:
        return _bool
    if isinstance(sample, str):  # TextChoices members too (str subclasses)
        return _str
    if type(sample) is datetime:
        return _datetimes()
    return _copy_value


def _field(model: type[models.Model], name: str) -> models.Field[Any, Any]:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.concrete, f"{model.__name__}.{name}"
    return field


def _column(model: type[models.Model], name: str) -> str:
    column = _field(model, name).column
    assert column is not None, f"{model.__name__}.{name} has no column"
    return column


@functools.cache
def _columns(model: type[models.Model]) -> tuple[tuple[Any, ...], frozenset[str]]:
    fields = tuple(model._meta.concrete_fields)
    return fields, frozenset(f.attname for f in fields)


def new_instance(model: type[M], values: dict[str, Any]) -> M:
    """``model(**values)`` (``values`` by attname: ``owner_id``) for the many instances of a
    bulk insert: the field values go straight into the instance's ``__dict__``, where
    ``Model.__init__`` would set them one by one through their descriptors (a foreign key's
    checks its cache on every set) — 2.5 times as fast in CPU time. Django's own constructor when
    any ``pre_init`` / ``post_init`` receiver is connected or a key is not a column."""
    fields, attnames = _columns(model)
    if signals.pre_init.receivers or signals.post_init.receivers or not values.keys() <= attnames:
        return model(**values)
    obj = model.__new__(model)
    obj._state = models.base.ModelState()
    state = obj.__dict__
    state.update(values)
    if len(values) < len(fields):
        for f in fields:
            if f.attname not in values:
                state[f.attname] = f.get_default()
    return obj


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """``count`` new ids from the table's sequence (PostgreSQL; none elsewhere), for a later
    ``copy_instances`` — drawn before a bulk write's other statements, so that the write
    itself needs no reply from the database (ids left unused are gaps, as after a rollback)."""
    if connection.vendor != "postgresql" or count <= 0:
        return []
    with connection.cursor() as cursor:
        # The sequence's name first: inside the id query PostgreSQL looked it up again for
        # every row (0.35 s of 0.40 s for 50,000 ids).
        pk = model._meta.pk
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, pk.column])
        (sequence,) = cursor.fetchone()
        cursor.execute(
            "SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count]
        )
        return [value for (value,) in cursor.fetchall()]


def copy_instances(
    model: type[models.Model], objs: Sequence[models.Model], ids: Iterator[int] | None = None
) -> None:
    """Insert unsaved instances and set their pks — from ``ids`` (an iterator over
    ``reserve_ids``, consumed) first, then drawn from the table's sequence — with one COPY
    (PostgreSQL); ``bulk_create`` elsewhere."""
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs, batch_size=5000)
        return
    if not objs:
        return
    reserved = list(itertools.islice(ids, len(objs))) if ids is not None else []
    reserved += reserve_ids(model, len(objs) - len(reserved))
    for obj, value in zip(objs, reserved, strict=True):
        obj.pk = value
    pk = model._meta.pk
    fields = [pk, *(f for f in model._meta.concrete_fields if not f.primary_key)]
    row = operator.attrgetter(*(f.attname for f in fields))  # obj -> tuple of column values
    copy_rows(model, [f.name for f in fields], map(row, objs))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = "default"


def copy_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """Insert rows (no pks returned); returns how many. Inside ``copies_in_background`` the
    rows are sent while the caller goes on (errors are raised by its next statement)."""
    rows = list(rows)
    if not rows:
        return 0
    if connection.vendor != "postgresql":
        attnames = [_field(model, name).attname for name in fields]
        model._default_manager.bulk_create(
            [model(**dict(zip(attnames, row, strict=True))) for row in rows], batch_size=5000
        )
        return len(rows)
    columns = ", ".join(connection.ops.quote_name(_column(model, name)) for name in fields)
    converters = [_converter(value) for value in rows[0]]
    # map(operator.call, …) calls each column's formatter from C: 24% less time than a list
    # comprehension over zip. Rows are built to ``fields``; a short one is refused by COPY.
    lines = ("\t".join(map(operator.call, converters, row)) + "\n" for row in rows)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    sender = _sender.get()
    if sender is not None:
        sender.copy(sql, lines)
        return len(rows)
    # The driver's cursor, so its errors are raised as Django's (a duplicate key is an
    # IntegrityError, as from bulk_create: the ingest API answers a concurrent write with 409).
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(sql, _Lines(lines))
    return len(rows)


ROWS_PER_CHUNK = 2000


class _Lines:
    """What ``COPY … FROM STDIN`` reads: the rows formatted as it asks for them, a few
    thousand at a time, so PostgreSQL parses and indexes the first rows on the other core
    while this process formats the next (one ``StringIO`` of all of them made it wait for the
    whole text first)."""

    def __init__(self, lines: Iterator[str]) -> None:
        self._lines = lines

    def read(self, size: int = -1) -> str:
        return "".join(itertools.islice(self._lines, ROWS_PER_CHUNK))


class _Abandoned(Exception):
    """The request stopped formatting a COPY's rows (it raised): the COPY fails, so none of
    them are written."""


class _Queued:
    """A COPY's text as the request formats it, read by the sender thread."""

    def __init__(self) -> None:
        self.chunks: queue.SimpleQueue[str | None | BaseException] = queue.SimpleQueue()

    def read(self, size: int = -1) -> str:
        chunk = self.chunks.get()
        if isinstance(chunk, BaseException):
            raise _Abandoned from chunk
        return chunk or ""  # None: the end (an empty read ends the COPY)


class _Sender:
    """One thread that runs an import's COPYs on the request's own connection (and
    transaction), in order, while the request goes on; the request's next SQL statement
    waits for them first (``wait``), and raises the first error one of them met."""

    def __init__(self) -> None:
        self._raw = connection.connection  # the driver's connection (thread-safe)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy")
        self._pending: list[Future[None]] = []
        self._failed = False

    def copy(self, sql: str, lines: Iterator[str]) -> None:
        text = _Queued()
        self._pending.append(self._pool.submit(self._send, sql, text))
        try:
            while chunk := "".join(itertools.islice(lines, ROWS_PER_CHUNK)):
                text.chunks.put(chunk)
        except BaseException as exc:
            text.chunks.put(exc)
            raise
        text.chunks.put(None)

    def _send(self, sql: str, text: _Queued) -> None:
        if self._failed:
            return  # an earlier COPY failed: the transaction is aborted, this one is not sent
        try:
            with self._raw.cursor() as cursor:
                cursor.copy_expert(sql, text)
        except BaseException:
            self._failed = True
            raise

    def wait(self) -> None:
        """Until every COPY handed over is in; the first failure raised as Django's error."""
        pending, self._pending = self._pending, []
        for done in pending:
            error = done.exception()
            if error is not None:
                with connection.wrap_database_errors:
                    raise error

    def barrier(self, execute: Callable[..., Any], *args: Any) -> Any:
        """``connection.execute_wrapper``: every other statement waits for the COPYs."""
        if self._pending:
            self.wait()
        return execute(*args)

    def close(self) -> None:
        for done in self._pending:
            done.exception()  # let it end; the caller is raising already
        self._pending = []
        self._pool.shutdown()


_sender: ContextVar[_Sender | None] = ContextVar("copy_sender", default=None)


@contextmanager
def copies_in_background() -> Iterator[None]:
    """``copy_rows`` inside the block sends its rows from a second thread, on the same
    connection and in the same transaction, while the caller goes on preparing the next
    write; any other statement first waits for the COPYs handed over, so the database sees
    the block's statements in the order they were made. PostgreSQL parses and indexes a COPY
    on the other core while this process works (libpq sends without holding the GIL): a
    bulk import that alternates Python work and COPYs takes about the longer of the two
    instead of their sum. Elsewhere, or nested, an ordinary block."""
    if connection.vendor != "postgresql" or _sender.get() is not None:
        yield
        return
    connection.ensure_connection()
    sender = _Sender()
    token = _sender.set(sender)
    try:
        with connection.execute_wrapper(sender.barrier):
            yield
        sender.wait()
    finally:
        _sender.reset(token)
        sender.close()
