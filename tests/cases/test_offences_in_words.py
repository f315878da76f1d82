"""Offences read as their labels ("Illegal access") on the case page and in the case list, for
the lead agency and a JIT partner alike, never as codes ("illegal_access")."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_case_page_and_list_show_offence_labels(case_world, client):
    for side in (case_world.owner, case_world.partner):
        client.force_login(side.investigator)
        for url in (case_world.case.get_absolute_url(), reverse("cases:list")):
            html = client.get(url).content.decode()
            assert "Illegal access" in html, url
            assert "illegal_access" not in html.replace('value="illegal_access"', ""), url
    client.force_login(case_world.outsider.investigator)
    assert client.get(case_world.case.get_absolute_url()).status_code == 404
