"""Schemathesis over every operation of /api/schema/, with an investigator's key (all scopes):
no answer is a server error and every answer matches the schema. Bounded for CI: a few
examples per operation under a fixed seed, and as many under the day's seed (rotating, yet
replayable: the seed is the date). ``FUZZ_EXAMPLES`` and ``FUZZ_SEED`` widen or replay a run."""

from __future__ import annotations

import datetime
import os

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, seed, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from agencies import services
from cybercoop.wsgi import application

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "2"))
FIXED_SEED = 20261202
DAYS_SEED = int(os.environ.get("FUZZ_SEED") or datetime.date.today().strftime("%Y%m%d"))

# The schema the API serves at /api/schema/ (generated the same way, without a request).
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = application


@pytest.fixture
def fuzz_key(world, eu_agreement) -> str:
    """An investigator's key with every scope; requests run inside the test's transaction (as
    Django's test client does, they must not close the test's connection)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    _, plaintext = services.api_key_issue(
        actor=None, agency=world.owner.agency, user=world.owner.investigator, name="fuzz"
    )
    yield plaintext
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


BOUNDED = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))


def _call(case, key: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {key}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


@schema.parametrize()
@seed(FIXED_SEED)
@BOUNDED
def test_no_operation_answers_a_server_error_or_breaks_its_schema(case, fuzz_key):
    _call(case, fuzz_key)


@schema.parametrize()
@seed(DAYS_SEED)
@BOUNDED
def test_nor_under_the_days_seed(case, fuzz_key):
    _call(case, fuzz_key)
