"""The case list's query count does not grow with the number of cases."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import jits, services
from tests.cases.conftest import join

pytestmark = pytest.mark.django_db


def make_cases(world, n):
    for i in range(n):
        case = services.case_open(
            actor=world.owner.investigator,
            lead_agency=world.owner.agency,
            title=f"Case {i}",
            tags=["botnet"],
            offence_categories=["illegal_access"],
        )
        if i % 2:
            jit = jits.jit_create(
                actor=world.owner.investigator, case=case, name=f"J{i}", legal_basis="eu_jit"
            )
            join(jit, world.owner, world.partner)


def count(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_html_case_list_queries_constant(world, client, django_assert_num_queries):
    client.force_login(world.partner.investigator)
    make_cases(world, 3)
    few = count(lambda: client.get(reverse("cases:list")))
    make_cases(world, 27)
    with django_assert_num_queries(few):
        response = client.get(reverse("cases:list"))
    assert len(response.context["page"].object_list) == 1 + 13  # the odd ones, shared via JIT


def test_api_case_list_queries_constant(world, api_client_for, django_assert_num_queries):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    client.get("/api/v1/me/")  # first use of a key records last_used_at
    make_cases(world, 3)
    few = count(lambda: client.get("/api/v1/cases/"))
    make_cases(world, 27)
    with django_assert_num_queries(few):
        response = client.get("/api/v1/cases/")
    assert len(response.json()["results"]) == 30
