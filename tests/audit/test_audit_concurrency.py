"""Concurrent appends on PostgreSQL keep one valid log: leaves without gaps, every stored
node right (advisory lock)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from audit.models import AuditEvent
from audit.selectors import verify_log
from audit.services import audit_log
from cases import services


@pytest.mark.django_db(transaction=True)
def test_threads_appending_keep_a_valid_log(world):
    assert connection.vendor == "postgresql"
    workers, per_worker = 8, 15
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def append(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_worker):
                with transaction.atomic():
                    audit_log(
                        actor=None, action="test.append", object_type="t", object_id=f"{n}-{i}"
                    )
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert AuditEvent.objects.filter(action="test.append").count() == workers * per_worker
    assert verify_log() == (None, 0)


@pytest.mark.django_db(transaction=True)
def test_concurrent_services_keep_a_valid_log(world):
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def work(side) -> None:
        try:
            barrier.wait()
            for i in range(5):
                case = services.case_open(
                    actor=side.investigator, lead_agency=side.agency, title=f"c{i}"
                )
                services.note_add(actor=side.investigator, case=case, agency=side.agency, body="n")
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    sides = [world.owner, world.partner, world.outsider, world.owner]
    threads = [threading.Thread(target=work, args=(s,)) for s in sides]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert verify_log() == (None, 0)
    assert AuditEvent.objects.filter(action="note.added").count() == 20


APPEND_SCRIPT = """
import django, os, sys
django.setup()
from django.db import transaction
from audit.services import audit_log
for i in range(int(sys.argv[2])):
    with transaction.atomic():
        audit_log(
            actor=None, action="test.process", object_type="p", object_id=f"{sys.argv[1]}-{i}"
        )
"""


@pytest.mark.django_db(transaction=True)
def test_processes_appending_keep_a_valid_log(world):
    import os
    import subprocess
    import sys

    from django.conf import settings

    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "DJANGO_SETTINGS_MODULE": "cybercoop.settings",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", APPEND_SCRIPT, str(n), "20"], env=env, cwd=settings.BASE_DIR
        )
        for n in range(4)
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert AuditEvent.objects.filter(action="test.process").count() == 80
    assert verify_log() == (None, 0)
