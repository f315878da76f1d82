"""Every HTML list's table: django-tables2 columns drawn by one template (``_table.html``),
sorted server-side by whitelisted keys only, keyset-paged (first / previous / next / last,
a choice of page size) and with a total only where the list says counting is cheap.

A list names its sorts as ``{column name: ascending keyset ordering}``, each ordering unique
(ending with the primary key) and backed by an index or a small table; ``?sort=name`` or
``?sort=-name`` picks one, anything else is ignored (the list's default). ``?per_page=`` takes
one of ``PAGE_SIZES``, anything else gives the default. The rows come from the caller's
queryset, i.e. from a selector: the table never widens what is visible, and its total counts
only visible rows.
"""

from __future__ import annotations

import datetime
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import django_tables2 as tables
from django.db.models import QuerySet
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template import Context
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from common import keyset

StrOrPromise = str | Promise
PAGE_SIZES = (25, 50, 100, 200)
LAST = "last"  # the cursor value that asks for the last page
UNKNOWN_CHOICE = _("%(field)s: “%(value)s” is not one of the choices; it was ignored.")
SORT, SIZE, CURSOR = "sort", "per_page", "cursor"


@dataclass
class Header:
    """One column heading: a link that sorts by it (when it may), and its ``aria-sort``."""

    column: Any
    href: str | None = None
    aria_sort: str | None = None


class DateColumn(tables.Column):  # type: ignore[misc]  # django-tables2 ships no types
    """A date (or date and time, shown in the current time zone) in ``format`` (a named format
    such as the default, ``SHORT_DATE_FORMAT``, follows the reader's locale), in a ``<time>``
    whose ``datetime`` gives it in ISO 8601 for machines; "–" if none."""

    def __init__(self, *args: Any, format: str = "SHORT_DATE_FORMAT", **kwargs: Any) -> None:
        kwargs.setdefault("default", "–")
        super().__init__(*args, **kwargs)
        self.format = format

    def render(self, value: Any) -> str:
        if isinstance(value, datetime.datetime):
            value = timezone.localtime(value)
            machine = value.isoformat(timespec="seconds")  # HTML allows no microseconds
        else:
            machine = value.isoformat()
        return format_html(
            '<time datetime="{}">{}</time>', machine, formats.date_format(value, self.format)
        )


class CodeColumn(tables.Column):  # type: ignore[misc]  # django-tables2 ships no types
    """A code such as an agency's ``DE-BKA``: its cell never breaks it at the hyphen
    (``.code`` in tables.css)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("attrs", {"td": {"class": "code"}})
        super().__init__(*args, **kwargs)


def code_html(code: str) -> str:
    """A code inside a cell's sentence: unbroken, and isolated so that a right-to-left page
    keeps its letters and hyphen in order."""
    return format_html('<bdi class="code">{}</bdi>', code)


def listed(values: Iterable[Any]) -> str:
    """Values in one cell, joined by the reader's list separator (Arabic's is "، "); the
    templates use the same msgid: ``{% translate ", " context "list separator" %}``."""
    return pgettext("list separator", ", ").join(str(value) for value in values)


@dataclass
class Row:
    attrs: str
    cells: str  # the row's <td> elements, as safe HTML


def _renderer(table: Any, bound: Any) -> Callable[[Any], str] | None:
    """One column's cell renderer, worked out once per page rather than once per cell (as
    django-tables2's ``call_with_appropriate`` does, inspecting signatures each time: most of
    a 50-row page's time). ``None``: let django-tables2 render it (template columns)."""
    column, accessor = bound.column, bound.accessor
    method = getattr(table, f"render_{bound.name}", None)
    if method is None and isinstance(column, tables.TemplateColumn):
        return None
    if method is None and type(column).render is not tables.Column.render:
        method = column.render  # a column class of its own (DateColumn)
    wants = set(inspect.signature(method).parameters) if method is not None else {"value"}
    default = conditional_escape(column.default) if column.default is not None else ""

    bits = accessor.bits  # "owner__code" → ("owner", "code"), resolved by getattr

    def resolve(record: Any) -> Any:
        value = record
        for bit in bits:
            value = getattr(value, bit, None)
            if value is None:
                return None
            if callable(value) and not getattr(value, "alters_data", False):
                value = value()  # get_type_display
        return value

    def render(record: Any) -> str:
        value = resolve(record) if "value" in wants else None
        if "value" in wants and value in column.empty_values:
            return default
        if method is None:
            return conditional_escape(value if isinstance(value, str) else str(value))
        kwargs = {"value": value, "record": record}
        html: Any = method(**{k: v for k, v in kwargs.items() if k in wants})
        return conditional_escape(html)

    return render


class ListTable(tables.Table):  # type: ignore[misc]  # django-tables2 ships no types
    """A table whose rows are one keyset page: django-tables2 neither sorts nor pages it."""

    class Meta:
        orderable = False
        template_name = "_table.html"
        empty_text = _("Nothing here yet.")

    # Set by ``paged``:
    page: keyset.KeysetPage
    headers: list[Header]
    sort: str
    size: int
    size_param: str = SIZE
    sort_param: str = SORT
    sizes: Sequence[int] = PAGE_SIZES
    total: int | None = None
    total_more: bool = False  # ``total`` is a floor: more rows match than were counted
    keep: list[tuple[str, str]]
    links: dict[str, str | None]
    label: StrOrPromise = _("Pages")
    # The empty state's next step, when the caller may take it: (url, words).
    empty_action: tuple[str, StrOrPromise] | None = None

    def _cell(self, record: Any, bound: Any) -> str:
        """A template column's cell, the django-tables2 way (a row of it, then the cell)."""
        html: str = self.rows[self.page.object_list.index(record)].get_cell(bound.name)
        return html

    def fast_rows(self) -> list[Row]:
        """The page's rows as HTML cells, each column's renderer resolved once."""
        columns = list(self.columns)
        renderers = [_renderer(self, bound) for bound in columns]
        td_attrs = [bound.attrs["td"].as_html() for bound in columns]
        # Row attributes (``Meta.row_attrs``), evaluated per record without a BoundRow.
        row_items = list((self._meta.row_attrs or {}).items())
        rows = []
        for record in self.page.object_list:
            # Each cell is escaped (or safe HTML) already: joined here rather than by a
            # template loop per cell, which cost most of what is left of a page's rendering.
            cells = mark_safe(  # noqa: S308
                "".join(
                    f"<td {attrs}>{render(record) if render else self._cell(record, bound)}</td>"
                    for bound, render, attrs in zip(columns, renderers, td_attrs, strict=True)
                )
            )
            attrs = format_html_join(
                " ",
                '{}="{}"',
                ((key, value(record) if callable(value) else value) for key, value in row_items),
            )
            rows.append(Row(attrs=attrs, cells=cells))
        return rows


def _parse_sort(value: str, sorts: Mapping[str, Sequence[str]]) -> tuple[str, bool] | None:
    name = value[1:] if value.startswith("-") else value
    if name not in sorts:
        return None
    return name, value.startswith("-")


def ordering_for(name: str, descending: bool, sorts: Mapping[str, Sequence[str]]) -> list[str]:
    ascending = list(sorts[name])
    if not descending:
        return ascending
    return [key[1:] if key.startswith("-") else f"-{key}" for key in ascending]


def paged(
    request: HttpRequest,
    queryset: QuerySet[Any],
    *,
    table_class: type[ListTable],
    sorts: Mapping[str, Sequence[str]],
    default_sort: str,
    size: int = 50,
    window: keyset.Window | None = None,
    count: bool | int = False,
    label: StrOrPromise | None = None,
    prefix: str = "",
    **table_kwargs: Any,
) -> ListTable:
    """The request's page of ``queryset`` as a ``table_class``.

    ``window`` (``keyset.grant_window``) is used only when the chosen order is ``-id``.
    ``count``: ``True`` counts every visible row (small lists); an int counts up to that many
    and then says "more than"; ``False`` shows no total (a COUNT would read the whole set).
    ``prefix`` names this list's parameters (``<prefix>sort``, …) when a page holds two.
    """
    sort_param, size_param, cursor_param = (prefix + name for name in (SORT, SIZE, CURSOR))
    chosen = _parse_sort(request.GET.get(sort_param, ""), sorts) or _parse_sort(default_sort, sorts)
    if chosen is None:
        raise ValueError(f"The default sort {default_sort!r} is not one of the sorts.")
    name, descending = chosen
    ordering = ordering_for(name, descending, sorts)
    if tuple(ordering) != ("-id",):
        window = None
    try:
        per_page = int(request.GET.get(size_param, ""))
    except ValueError:
        per_page = size
    if per_page not in PAGE_SIZES:
        per_page = size

    cursor = request.GET.get(cursor_param) or None
    if cursor == LAST:
        page = keyset.keyset_page(
            queryset, ordering=ordering, size=per_page, window=window, last=True
        )
    else:
        try:
            page = keyset.keyset_page(
                queryset, ordering=ordering, cursor=cursor, size=per_page, window=window
            )
        except keyset.InvalidCursor:
            page = keyset.keyset_page(queryset, ordering=ordering, size=per_page, window=window)

    def query(**changes: str | None) -> str:
        params = request.GET.copy()
        for key, value in changes.items():
            key = prefix + key
            params.pop(key, None)
            if value is not None:
                params[key] = value
        return "?" + params.urlencode()

    table = table_class(page.object_list, **table_kwargs)
    # What template cells render with (``TemplateColumn``): the request and, for the forms
    # some cells hold, the CSRF token ({% render_table %} would set this; we include).
    table.context = Context({"request": request, "csrf_token": get_token(request), "table": table})
    table.page = page
    table.sort = f"-{name}" if descending else name
    table.size = per_page
    table.size_param = size_param
    table.sort_param = sort_param
    table.links = {
        "first": None if page.is_first else query(cursor=None),
        "previous": query(cursor=page.previous_cursor) if page.previous_cursor else None,
        "next": query(cursor=page.next_cursor) if page.next_cursor else None,
        "last": query(cursor=LAST) if page.next_cursor else None,
    }
    page.links = keyset.PageLinks(
        first=table.links["first"], previous=table.links["previous"], next=table.links["next"]
    )
    table.headers = []
    for column in table.columns:
        header = Header(column=column)
        if column.name in sorts:
            current = column.name == name
            flip = "-" if current and not descending else ""
            header.href = query(cursor=None, **{SORT: f"{flip}{column.name}"})
            if current:
                header.aria_sort = "descending" if descending else "ascending"
        table.headers.append(header)
    table.keep = [
        (key, value)
        for key, values in request.GET.lists()
        if key not in (cursor_param, size_param)
        for value in values
    ]
    if label is not None:
        table.label = label
    if count is True:
        table.total = queryset.order_by().count()
    elif count:
        counted = queryset.order_by().values("pk")[: count + 1].count()
        table.total, table.total_more = min(counted, count), counted > count
    return table


def unknown_choice(label: str, value: str) -> str:
    """The message that names a filter value which is not one of its field's choices."""
    return str(UNKNOWN_CHOICE % {"field": label, "value": value[:100]})
