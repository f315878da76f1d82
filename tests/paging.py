"""Walk keyset-paginated lists (REST and HTML) the way a client does: by their links."""

from __future__ import annotations

from typing import Any


def walk_api(client: Any, url: str, *, limit: int = 2, key: str = "id") -> list[Any]:
    """Follow ``next`` from the first page, then ``previous`` back: each way sees the same rows.

    Returns ``key`` of every result in order; fails on a duplicate or on a page over ``limit``.
    """
    separator = "&" if "?" in url else "?"
    response = client.get(f"{url}{separator}limit={limit}")
    pages = []
    while True:
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"next", "previous", "results"}  # no count, ever
        assert len(body["results"]) <= limit
        pages.append(body)
        if body["next"] is None:
            break
        response = client.get(body["next"])
    assert pages[0]["previous"] is None
    forward = [item[key] for body in pages for item in body["results"]]
    assert len(forward) == len(set(forward)), forward
    backward: list[Any] = []
    body = pages[-1]
    while body["previous"] is not None:
        body = client.get(body["previous"]).json()
        backward = [item[key] for item in body["results"]] + backward
    assert backward == forward[: len(backward)]
    assert len(backward) == len(forward) - len(pages[-1]["results"])
    return forward


def walk_html(client: Any, url: str, *, page: str = "page") -> list[Any]:
    """Follow a page's Older links from the first page; every object listed, in order."""
    response = client.get(url)
    rows: list[Any] = []
    while True:
        assert response.status_code == 200
        found = response.context[page]
        rows += list(found.object_list)
        if found.links.next is None:
            break
        assert f'href="{found.links.next.replace("&", "&amp;")}"' in response.content.decode()
        response = client.get(url.split("?")[0] + found.links.next)
    assert len(rows) == len(set(rows)), rows
    return rows
