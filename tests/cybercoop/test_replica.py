"""The optional read replica: a second database on the same PostgreSQL server stands in for it
(same schema, none of the primary's rows), so a read that went to it shows as missing data.

Listed views read cases, indicators, notices and requests from the replica; accounts and keys
always come from the primary; a request that writes, and a caller that wrote a moment ago,
read from the primary.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import psycopg2
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from agencies.models import APIKey
from cases.models import Case
from common import replica
from tests.cases.conftest import open_case

pytestmark = pytest.mark.django_db(databases=["default", "replica"])


def _dsn(settings_dict: dict, name: str) -> list[str]:
    return [
        f"--host={settings_dict['HOST'] or '127.0.0.1'}",
        f"--port={settings_dict['PORT'] or 5432}",
        f"--username={settings_dict['USER'] or 'postgres'}",
        f"--dbname={name}",
    ]


@pytest.fixture(scope="module")
def replica_database(django_db_setup, django_db_blocker) -> Iterator[str]:
    """A database holding the test database's schema and no rows, wired in as ``replica``."""
    primary = connection.settings_dict
    if not primary["ENGINE"].endswith("postgresql"):
        pytest.fail("The replica tests need PostgreSQL (make test runs them on it).")
    name = f"{primary['NAME']}_replica"
    _server(primary, f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')
    with django_db_blocker.unblock():
        schema = subprocess.run(
            ["pg_dump", "--schema-only", "--no-owner", *_dsn(primary, primary["NAME"])],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(
            ["psql", "--quiet", "--set=ON_ERROR_STOP=1", *_dsn(primary, name)],
            input=schema,
            check=True,
            capture_output=True,
        )
    test = {**primary["TEST"], "NAME": name, "MIRROR": None}
    settings.DATABASES["replica"] = {**primary, "NAME": name, "TEST": test}
    try:
        yield name
    finally:
        connections["replica"].close()
        del connections["replica"]
        del settings.DATABASES["replica"]
        _server(primary, f'DROP DATABASE IF EXISTS "{name}"')


def _server(primary: dict, *statements: str) -> None:
    """Statements outside any transaction, on the server's maintenance database."""
    server = psycopg2.connect(
        host=primary["HOST"] or "127.0.0.1",
        port=primary["PORT"] or 5432,
        user=primary["USER"] or "postgres",
        password=primary["PASSWORD"] or None,
        dbname="postgres",
    )
    server.autocommit = True
    try:
        with server.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
    finally:
        server.close()


@pytest.fixture(autouse=True)
def clean_pins(replica_database):
    cache.clear()


def test_a_listed_endpoint_reads_the_cases_from_the_replica(world, api_client_for):
    case = open_case(world.owner)
    client = api_client_for(world.owner.investigator, world.owner.agency)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        listed = client.get("/api/v1/cases/").json()
    assert listed["results"] == []  # the stand-in replica has none of the primary's rows
    assert any('"cases_case"' in q["sql"] for q in on_replica.captured_queries)
    detail = client.get(f"/api/v1/cases/{case.pk}/")  # not a listed view: the primary
    assert detail.status_code == 200


def test_the_api_key_is_checked_on_the_primary(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get("/api/v1/cases/").status_code == 200  # the key is not on the replica
    assert not any("apikey" in q["sql"] for q in on_replica.captured_queries)


def test_a_caller_that_wrote_reads_its_own_write_from_the_primary(world, api_client_for):
    client = api_client_for(world.owner.investigator, world.owner.agency)
    body = {"title": "Ransomware wave", "lead_agency": world.owner.agency.code}
    created = client.post("/api/v1/cases/", body, format="json")
    assert created.status_code == 201, created.content
    listed = client.get("/api/v1/cases/").json()
    assert [c["id"] for c in listed["results"]] == [created.json()["id"]]


def test_a_browser_session_that_wrote_is_pinned_too(world, client_for):
    client = client_for(world.owner.investigator)
    open_case(world.owner, title="Phishing kit")
    assert "Phishing kit" not in client.get("/cases/").content.decode()  # from the replica
    client.post("/cases/new/", {})  # any write-capable request pins, even a refused one
    assert "Phishing kit" in client.get("/cases/").content.decode()


def test_the_router_sends_only_listed_apps_to_the_replica_and_writes_to_the_primary():
    router = replica.ReplicaRouter()
    scope = replica._scope.set(True)
    pinned = replica._pinned.set(False)
    try:
        assert router.db_for_read(Case) == "replica"
        assert router.db_for_read(APIKey) == "default"
        assert router.db_for_write(Case) == "default"
        assert router.db_for_read(Case) == "default"  # it wrote: it reads its writes
    finally:
        replica._pinned.reset(pinned)
        replica._scope.reset(scope)
    assert router.db_for_read(Case) == "default"  # outside a listed view
    assert not router.allow_migrate("replica", "cases")
    assert router.allow_migrate("default", "cases")


@pytest.mark.parametrize(
    ("path", "table"),
    [
        ("/cases/", '"cases_case"'),
        ("/indicators/", '"sharing_indicator"'),
        ("/notices/", '"notices_notice"'),
        ("/assistance/", '"assistance_assistancerequest"'),
    ],
)
def test_each_listed_page_runs_its_list_query_on_the_replica(world, client_for, path, table):
    client = client_for(world.owner.investigator)
    with CaptureQueriesContext(connections["replica"]) as on_replica:
        assert client.get(path).status_code == 200
    assert any(table in q["sql"] for q in on_replica.captured_queries)
