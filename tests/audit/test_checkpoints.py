"""Signed checkpoints: the key and the last signed checkpoint live outside the database; the
server signs C2SP checkpoints the stand-alone verifier accepts, each consistent with the last,
and refuses, naming why, to sign a log that lost entries or was rewritten in the database."""

from __future__ import annotations

import re
import stat
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit import checkpoints, log
from audit.models import AuditEvent, LogNode
from audit.services import audit_log
from tools.verify_log import node_hash, verify_checkpoint, verify_consistency


def append(count: int) -> None:
    for n in range(count):
        audit_log(actor=None, action="test.append", object_type="t", object_id=str(n))


def test_the_key_is_written_owner_only_and_never_overwritten(log_key, settings):
    path = checkpoints.key_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert log_key == checkpoints.verifier()
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("transparency_keygen")
    call_command("transparency_keygen", "--if-missing")  # a no-op, for make demo
    assert checkpoints.verifier() == log_key


def test_signed_checkpoints_verify_and_each_extends_the_last(world, log_key):
    append(5)
    first = checkpoints.checkpoint_sign()
    found = verify_checkpoint(first.note, log_key)
    assert (found.origin, found.size, found.root) == (
        "cybercoop.test/log",
        log.tree_size(),
        log.root(log.tree_size()),
    )
    append(7)
    second = checkpoints.checkpoint_sign()
    later = verify_checkpoint(second.note, log_key)
    verify_consistency(
        found.size,
        later.size,
        found.root,
        later.root,
        log.consistency_proof(found.size, later.size),
    )
    assert checkpoints.last_signed() == later
    assert checkpoints.checkpoint_sign() == second  # nothing new: the same checkpoint


def test_no_key_no_checkpoint(world, settings, tmp_path):
    settings.TRANSPARENCY_SIGNING_KEY_FILE = str(tmp_path / "absent.key")
    with pytest.raises(checkpoints.CheckpointRefused, match=re.escape(checkpoints.NO_KEY)):
        checkpoints.checkpoint_sign()


def _sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def test_dropping_the_newest_entries_is_refused(world, log_key):
    append(10)
    signed = checkpoints.checkpoint_sign()
    newest = AuditEvent.objects.order_by("-leaf_index").values_list("leaf_index", flat=True)[:3]
    cut = min(newest)
    _sql("DELETE FROM audit_auditevent WHERE leaf_index >= %s", [cut])
    _sql("DELETE FROM audit_lognode WHERE level = 0 AND index >= %s", [cut])
    message = checkpoints.SMALLER.format(size=cut, last=signed.tree_size)
    with pytest.raises(checkpoints.CheckpointRefused, match=re.escape(message)):
        checkpoints.checkpoint_sign()


def test_emptying_the_log_is_refused(world, log_key):
    append(3)
    signed = checkpoints.checkpoint_sign()
    _sql("DELETE FROM audit_lognode")
    _sql("DELETE FROM audit_auditevent")
    message = checkpoints.SMALLER.format(size=0, last=signed.tree_size)
    with pytest.raises(checkpoints.CheckpointRefused, match=re.escape(message)):
        checkpoints.checkpoint_sign()


def rebuild_parents() -> None:
    """What a forger with database access does after editing leaves: recompute every stored
    parent from the leaf hashes, exactly as appends would have."""
    LogNode.objects.filter(level__gt=0).delete()
    stack: list[bytes] = []
    for index, node in enumerate(LogNode.objects.filter(level=0).order_by("index")):
        digest, level, position = bytes(node.hash), 0, index
        stack.append(digest)
        while position & 1:
            digest = node_hash(stack[-2], digest)
            stack[-2:] = [digest]
            level, position = level + 1, position >> 1
            LogNode.objects.create(level=level, index=position, hash=digest)


def test_a_rewritten_tree_is_refused_even_when_it_grew(world, log_key):
    append(8)
    signed = checkpoints.checkpoint_sign()
    LogNode.objects.filter(level=0, index=2).update(hash=bytes(32))
    rebuild_parents()
    append(2)
    message = checkpoints.FORKED.format(size=log.tree_size(), last=signed.tree_size)
    with pytest.raises(checkpoints.CheckpointRefused, match=re.escape(message)):
        checkpoints.checkpoint_sign()


def test_the_sign_command_prints_the_note_and_refuses_a_smaller_log_loudly(world, log_key):
    append(3)
    out = StringIO()
    call_command("transparency_sign", stdout=out)
    assert verify_checkpoint(out.getvalue(), log_key).size == log.tree_size()
    AuditEvent.objects.order_by("-leaf_index")[:1].get().delete()
    with pytest.raises(CommandError, match="Refusing to sign: the log has"):
        call_command("transparency_sign", stdout=StringIO())


def test_the_sign_command_without_a_key_says_how_to_make_one(world, no_log_key):
    with pytest.raises(CommandError, match="run manage.py transparency_keygen"):
        call_command("transparency_sign", stdout=StringIO())
