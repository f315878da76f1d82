"""verify_audit against a database operator, with direct SQL on PostgreSQL (the rows of the
issue's table): the transparency log, checked against the checkpoints the server signed with
a key outside the database, catches what the hash chain alone let through."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from audit import checkpoints
from audit.models import AuditEvent, SignedCheckpoint
from audit.services import audit_log
from tools.verify_log import leaf_hash, node_hash


@pytest.fixture
def signed_log(world, settings, tmp_path):
    settings.TRANSPARENCY_SIGNING_KEY_FILE = str(tmp_path / "log.key")
    call_command("transparency_keygen", stdout=StringIO())
    for n in range(12):  # a checkpoint after each entry, as the beat signs when the log grew
        audit_log(actor=None, action="case.opened", object_type="cases.case", object_id=n)
        signed = checkpoints.checkpoint_sign()
    return signed


def sql(statement: str, params: list | None = None) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params or [])


def verify() -> str:
    out = StringIO()
    try:
        call_command("verify_audit", stdout=out)
    except CommandError as error:
        return str(error)
    return out.getvalue()


def test_an_untouched_log_matches_its_signed_checkpoints(signed_log):
    # 12 rows, and the last one again from the file beside the key
    assert "transparency log matches 13 signed checkpoints" in verify()


def test_dropping_the_newest_rows_is_caught_by_the_stored_tree(signed_log):
    last = AuditEvent.objects.order_by("-leaf_index").first().leaf_index
    sql("DELETE FROM audit_auditevent WHERE leaf_index > %s", [last - 3])
    size = last - 2
    assert verify() == (
        f"transparency log broken at entry {size}: entries missing: {size} left, "
        f"the stored tree holds {last + 1}"
    )


def test_dropping_the_newest_rows_and_their_tree_is_caught_by_the_checkpoint(signed_log):
    last = AuditEvent.objects.order_by("-leaf_index").first().leaf_index
    sql("DELETE FROM audit_auditevent WHERE leaf_index > %s", [last - 3])
    size = last - 2
    sql("DELETE FROM audit_lognode WHERE (index + 1) * power(2, level) > %s", [size])
    assert verify() == (
        f"transparency log broken at entry {size}: entries missing: {size} left, "
        f"a checkpoint was signed at {signed_log.tree_size}"
    )


def test_emptying_the_table_is_caught(signed_log):
    sql("DELETE FROM audit_auditevent")
    assert verify().startswith("transparency log broken at entry 0: entries missing: 0 left")
    sql("DELETE FROM audit_lognode")
    assert verify() == (
        "transparency log broken at entry 0: entries missing: 0 left, "
        f"a checkpoint was signed at {signed_log.tree_size}"
    )


def test_an_edit_with_every_hash_recomputed_forward_is_caught(signed_log):
    """The forger edits entry 5 and rewrites the stored tree to match, with the public
    algorithm: only the checkpoint signed with the key outside the database still holds."""
    victim = AuditEvent.objects.get(leaf_index=signed_log.tree_size - 6)
    rewrite_entry_and_tree(victim.leaf_index)
    result = verify()
    assert result.startswith(f"transparency log broken at entry {victim.leaf_index}: ")
    assert "does not match the checkpoint signed at" in result


def test_swapping_two_rows_contents_is_caught(signed_log):
    first, second = AuditEvent.objects.order_by("leaf_index")[2:4]
    sql(
        "UPDATE audit_auditevent SET object_id = %s WHERE id = %s",
        [second.object_id, first.pk],
    )
    sql(
        "UPDATE audit_auditevent SET object_id = %s WHERE id = %s",
        [first.object_id, second.pk],
    )
    assert "broken" in verify()


def test_a_forged_checkpoint_row_is_ignored(signed_log):
    size = signed_log.tree_size
    forged = signed_log.note.replace(f"\n{size}\n", f"\n{size - 1}\n", 1)
    assert forged != signed_log.note
    SignedCheckpoint.objects.update(note=forged)
    assert "matches 1 signed checkpoints" in verify()  # only the file beside the key counts


def rewrite_entry_and_tree(index: int) -> None:
    """The forger's full rewrite: entry ``index`` edited and every stored node recomputed."""
    victim = AuditEvent.objects.get(leaf_index=index)
    AuditEvent.objects.filter(pk=victim.pk).update(summary={"forged": True})
    leaves = [leaf_hash(e.leaf()) for e in AuditEvent.objects.order_by("leaf_index")]
    sql("DELETE FROM audit_lognode")
    level, nodes = 0, leaves
    while nodes:
        for position, digest in enumerate(nodes):
            sql(
                "INSERT INTO audit_lognode (level, index, hash) VALUES (%s, %s, %s)",
                [level, position, digest],
            )
        nodes = [node_hash(nodes[i], nodes[i + 1]) for i in range(0, len(nodes) - 1, 2)]
        level += 1


def test_a_checkpoint_a_partner_kept_catches_a_rewrite_the_server_forgot(signed_log, tmp_path):
    held = tmp_path / "partner.note"
    held.write_text(signed_log.note, encoding="utf-8")
    rewrite_entry_and_tree(signed_log.tree_size - 3)
    SignedCheckpoint.objects.all().delete()  # the operator wipes what the server kept, too
    checkpoints.state_path().unlink()
    assert "no signed checkpoint yet" in verify()
    out = StringIO()
    with pytest.raises(CommandError, match="does not match the checkpoint signed at"):
        call_command("verify_audit", "--checkpoint", str(held), stdout=out)


def test_a_held_checkpoint_that_does_not_verify_is_refused(signed_log, tmp_path):
    held = tmp_path / "forged.note"
    held.write_text(signed_log.note.replace("\n\n", "\nextra\n\n", 1), encoding="utf-8")
    with pytest.raises(CommandError, match="cannot use that checkpoint: the signature of"):
        call_command("verify_audit", "--checkpoint", str(held), stdout=StringIO())
