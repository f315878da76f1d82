"""verify_audit exits non-zero and names the first broken event after edit, delete or reorder."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent
from audit.services import audit_log

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain(world):
    for i in range(6):
        audit_log(
            actor=world.owner.investigator,
            action="case.opened",
            object_type="cases.case",
            object_id=i,
            agency=world.owner.agency,
            summary={"n": i},
        )
    return list(AuditEvent.objects.order_by("id"))


def verify() -> str:
    call_command("verify_audit")
    return ""


def broken_at() -> str:
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit")
    return str(excinfo.value)


def test_intact_chain_verifies(chain, capsys):
    call_command("verify_audit")
    assert "intact" in capsys.readouterr().out


def test_edited_summary_is_named(chain):
    target = chain[3]
    AuditEvent.objects.filter(pk=target.pk).update(summary={"n": 99})
    assert f"event {target.pk}:" in broken_at()


def test_edited_actor_or_time_is_named(chain, world):
    target = chain[2]
    AuditEvent.objects.filter(pk=target.pk).update(actor=world.partner.investigator)
    assert f"event {target.pk}:" in broken_at()


def test_edit_with_recomputed_hash_breaks_the_next_event(chain):
    target = AuditEvent.objects.get(pk=chain[2].pk)
    target.summary = {"n": 42}
    target.hash = target.compute_hash()
    target.save()
    message = broken_at()
    assert f"event {chain[3].pk}:" in message


def test_deleted_event_is_named(chain):
    AuditEvent.objects.filter(pk=chain[2].pk).delete()
    message = broken_at()
    assert f"event {chain[3].pk}:" in message and "missing" in message


def test_reordered_events_are_named(chain):
    first, second = chain[1], chain[2]
    fields = [
        "created_at",
        "actor_id",
        "agency_code",
        "action",
        "object_type",
        "object_id",
        "summary",
        "prev_hash",
        "hash",
    ]
    a = {f: getattr(first, f) for f in fields}
    b = {f: getattr(second, f) for f in fields}
    AuditEvent.objects.filter(pk=first.pk).update(hash="x" * 64)  # free the unique hash
    AuditEvent.objects.filter(pk=second.pk).update(**a)
    AuditEvent.objects.filter(pk=first.pk).update(**b)
    assert f"event {first.pk}:" in broken_at()


@pytest.mark.django_db(transaction=True)
def test_command_process_exits_non_zero(chain):
    AuditEvent.objects.filter(pk=chain[4].pk).update(summary={"n": "forged"})
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url}
    result = subprocess.run(
        [sys.executable, "manage.py", "verify_audit"],
        env=env,
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
    )
    assert result.returncode != 0
    assert f"event {chain[4].pk}" in result.stderr
