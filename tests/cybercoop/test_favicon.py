"""The favicon: an SVG every page links, and /favicon.ico (which browsers ask for on their own,
whatever the page) leads to it instead of a 404."""

from __future__ import annotations

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_every_page_links_the_svg_favicon(client, world, client_for):
    for response in (client.get("/login/"), client_for(world.owner.investigator).get("/")):
        assert b'<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in (
            response.content
        )


def test_favicon_ico_redirects_to_the_svg_for_anyone(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"] == "/static/favicon.svg"
    assert client.post("/favicon.ico").status_code == 405


def test_the_svg_is_a_static_file():
    path = finders.find("favicon.svg")
    assert path is not None
    with open(path, "rb") as svg:
        assert svg.read().startswith(b"<svg ")
