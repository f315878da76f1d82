"""Every JSON write endpoint of cases, JITs and evidence answers a non-object body with 400."""

from __future__ import annotations

import json

import pytest

from cases import jits

BAD_BODIES = ["null", "true", "1", '"x"', "[]", '[{"title": "x"}]']


def _invited(cw):
    jits.jit_invite(actor=cw.owner.investigator, jit=cw.jit, agency=cw.outsider.agency)


ENDPOINTS = [
    # (method, url, who, setup)
    ("post", "/api/v1/cases/", "owner.investigator", None),
    ("patch", "/api/v1/cases/{case}/", "owner.investigator", None),
    ("post", "/api/v1/cases/{case}/evidence/", "owner.investigator", None),
    ("post", "/api/v1/evidence/{evidence}/verify/", "owner.investigator", None),
    ("post", "/api/v1/jits/", "owner.investigator", None),
    ("patch", "/api/v1/jits/{jit}/", "owner.investigator", None),
    ("post", "/api/v1/jits/{jit}/members/", "owner.investigator", None),
    ("post", "/api/v1/jits/{jit}/members/IN-CBI/accept/", "outsider.admin", _invited),
    ("post", "/api/v1/jits/{jit}/members/IN-CBI/decline/", "outsider.admin", _invited),
    ("post", "/api/v1/jits/{jit}/members/NL-NHTCU/leave/", "partner.admin", None),
]


@pytest.mark.parametrize("method,url,who,setup", ENDPOINTS)
@pytest.mark.parametrize("body", BAD_BODIES)
def test_probe(case_world, api_client_for, method, url, who, setup, body):
    cw = case_world
    if setup:
        setup(cw)
    side_name, role = who.split(".")
    side = getattr(cw, side_name)
    client = api_client_for(getattr(side, role), side.agency)
    url = url.format(case=cw.case.pk, evidence=cw.evidence.pk, jit=cw.jit.pk)
    response = getattr(client, method)(url, body, content_type="application/json")
    print(method, url, body, response.status_code, response.content[:150])
    assert response.status_code == 400
