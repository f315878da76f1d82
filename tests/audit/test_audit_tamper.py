"""verify_audit without any signed checkpoint: the entries against the tree stored beside
them. It names the first broken entry after an edit, a deletion or a reorder; what a forger
who also rewrites the stored tree can do is caught by the checkpoints (test_log_tamper)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEvent, LogNode
from audit.services import audit_log
from tools.verify_log import leaf_hash

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(world):
    for i in range(6):
        audit_log(
            actor=world.owner.investigator,
            action="case.opened",
            object_type="cases.case",
            object_id=i,
            agency=world.owner.agency,
            summary={"n": i},
        )
    return list(AuditEvent.objects.order_by("leaf_index"))


def broken_at() -> str:
    with pytest.raises(CommandError) as excinfo:
        call_command("verify_audit")
    return str(excinfo.value)


def test_an_intact_log_verifies(entries, capsys):
    call_command("verify_audit")
    assert f"audit log intact: {len(AuditEvent.objects.all())} entries" in capsys.readouterr().out


def test_an_edited_summary_is_named(entries):
    target = entries[3]
    AuditEvent.objects.filter(pk=target.pk).update(summary={"n": 99})
    assert broken_at() == (
        f"transparency log broken at entry {target.leaf_index}: "
        "entry does not match the leaf hash stored when it was appended"
    )


def test_an_edited_actor_is_named(entries, world):
    target = entries[2]
    AuditEvent.objects.filter(pk=target.pk).update(actor=world.partner.investigator)
    assert f"broken at entry {target.leaf_index}:" in broken_at()


def test_an_edit_with_its_leaf_hash_recomputed_breaks_the_node_above(entries):
    target = AuditEvent.objects.get(pk=entries[2].pk)
    target.summary = {"n": 42}
    target.save()
    LogNode.objects.filter(level=0, index=target.leaf_index).update(hash=leaf_hash(target.leaf()))
    first = target.leaf_index & ~1
    assert broken_at() == (
        f"transparency log broken at entry {first}: "
        f"the stored tree node over entries [{first}, {first + 2}) was altered"
    )


def test_a_deleted_entry_is_named(entries):
    AuditEvent.objects.filter(pk=entries[2].pk).delete()
    message = broken_at()
    assert f"broken at entry {entries[2].leaf_index}:" in message and "missing" in message


def test_reordered_entries_are_named(entries):
    first, second = entries[1], entries[2]
    AuditEvent.objects.filter(pk=first.pk).update(leaf_index=-1)
    AuditEvent.objects.filter(pk=second.pk).update(leaf_index=first.leaf_index)
    AuditEvent.objects.filter(pk=first.pk).update(leaf_index=second.leaf_index)
    assert f"broken at entry {first.leaf_index}:" in broken_at()


@pytest.mark.django_db(transaction=True)
def test_the_command_process_exits_non_zero(entries):
    AuditEvent.objects.filter(pk=entries[4].pk).update(summary={"n": "forged"})
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
    assert f"broken at entry {entries[4].leaf_index}" in result.stderr
