"""Receipts: audit events with their inclusion proofs to a signed checkpoint and its
cosignatures, which the stand-alone verifier checks offline, and refuses, naming why, when a
leaf, an index, a proof, the log key or a required witness is not what it should be."""

from __future__ import annotations

import base64
import copy
import json
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from agencies.selectors import cosigned_note
from audit import checkpoints
from audit.models import AuditEvent, SignedCheckpoint
from audit.notes import verifier_for
from audit.receipts import NOT_YET_SIGNED, Witnessed, covering_checkpoint, receipt_build
from audit.services import audit_log
from common.errors import StateConflict
from tests.factories import witness_cosign
from tools.verify_log import (
    COSIGNATURE_V1,
    RECEIPT_FORMAT,
    VerificationError,
    Verifier,
    verify_receipt,
)

pytestmark = pytest.mark.django_db


def append(count: int) -> list[AuditEvent]:
    return [
        audit_log(
            actor=None,
            action="test.append",
            object_type="t",
            object_id=str(n),
            summary={"n": n, "name": "Jürgen"},
        )
        for n in range(count)
    ]


@pytest.fixture
def signed(world, log_key):
    """Seven events (after the world's), a checkpoint over them, cosigned by the partner
    agency's witness; the receipt of events 2, 3 and 5."""
    events = append(7)
    checkpoint = checkpoints.checkpoint_sign()
    witness = witness_cosign(checkpoint, agency=world.partner.agency, name="nl.example/witness")
    receipt = receipt_build(
        events=[events[2], events[3], events[5]],
        checkpoint=checkpoint,
        note=cosigned_note(checkpoint),
        witnesses=[Witnessed("NL-NHTCU", "nl.example/witness", str(witness), 1)],
    )
    return events, checkpoint, witness, receipt


def test_a_receipt_verifies_with_the_log_key_and_its_witness(signed, log_key):
    events, checkpoint, witness, receipt = signed
    entries = verify_receipt(receipt, log_key, [witness], min_witnesses=1)
    assert [e.leaf_index for e in entries] == [events[i].leaf_index for i in (2, 3, 5)]
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [
        ("test.append", "t", "2"),
        ("test.append", "t", "3"),
        ("test.append", "t", "5"),
    ]
    assert receipt["format"] == RECEIPT_FORMAT == "cybercoop-receipt/v1"
    assert receipt["origin"] == "cybercoop.test/log"
    assert receipt["checkpoint"].startswith(checkpoint.note)  # then the cosignature line
    assert receipt["witnesses"][0]["verifier_key"] == str(witness)


def test_each_leaf_is_the_events_canonical_json_in_ascii(signed):
    events, _, _, receipt = signed
    leaf = receipt["entries"][0]["leaf"]
    assert leaf.encode() == events[2].leaf()
    assert leaf.isascii() and "J\\u00fcrgen" in leaf
    assert leaf == json.dumps(json.loads(leaf), sort_keys=True, separators=(",", ":"))
    assert set(json.loads(leaf)) == {
        "action",
        "actor",
        "agency",
        "created_at",
        "object_id",
        "object_type",
        "summary",
    }


def tampered_leaf(receipt: dict) -> None:
    receipt["entries"][1]["leaf"] = receipt["entries"][1]["leaf"].replace('"n":3', '"n":4')


def wrong_index(receipt: dict) -> None:
    receipt["entries"][1]["leaf_index"] += 1


def tampered_proof(receipt: dict) -> None:
    proof = receipt["entries"][1]["inclusion_proof"]
    proof[0] = base64.b64encode(bytes(32)).decode()


def shortened_proof(receipt: dict) -> None:
    receipt["entries"][1]["inclusion_proof"].pop()


@pytest.mark.parametrize(
    "tamper, reason",
    [
        (tampered_leaf, "is not in the checkpoint: the inclusion proof does not lead to the root"),
        (wrong_index, "is not in the checkpoint: the inclusion proof does not lead to the root"),
        (tampered_proof, "is not in the checkpoint: the inclusion proof does not lead to the root"),
        (shortened_proof, "is not in the checkpoint: the inclusion proof is shorter than"),
    ],
)
def test_a_changed_entry_is_refused_naming_its_leaf(signed, log_key, tamper, reason):
    events, _, witness, receipt = signed
    changed = copy.deepcopy(receipt)
    tamper(changed)
    index = changed["entries"][1]["leaf_index"]
    with pytest.raises(VerificationError, match=re.escape(f"leaf {index} {reason}")):
        verify_receipt(changed, log_key, [witness])


def test_another_log_key_is_refused(signed):
    *_, receipt = signed
    impostor = verifier_for("cybercoop.test/log", Ed25519PrivateKey.generate())
    with pytest.raises(VerificationError, match="carries no signature of cybercoop.test/log"):
        verify_receipt(receipt, impostor)


def test_a_changed_checkpoint_is_refused(signed, log_key):
    _, checkpoint, _, receipt = signed
    size = checkpoint.tree_size
    changed = dict(
        receipt, checkpoint=receipt["checkpoint"].replace(f"\n{size}\n", f"\n{size + 1}\n", 1)
    )
    assert changed["checkpoint"] != receipt["checkpoint"]
    with pytest.raises(VerificationError, match="the signature of cybercoop.test/log is invalid"):
        verify_receipt(changed, log_key)


def test_a_missing_witness_is_refused_when_one_is_required(signed, log_key):
    *_, receipt = signed
    other = verifier_for("de.example/witness", Ed25519PrivateKey.generate(), COSIGNATURE_V1)
    reason = (
        "0 of the 1 given witnesses cosigned the checkpoint, 1 required "
        "(no cosignature of de.example/witness)"
    )
    with pytest.raises(VerificationError, match=re.escape(reason)):
        verify_receipt(receipt, log_key, [other], min_witnesses=1)
    with pytest.raises(VerificationError, match=re.escape("0 of the 0 given witnesses")):
        verify_receipt(receipt, log_key, [], min_witnesses=1)
    assert verify_receipt(receipt, log_key, [other], min_witnesses=0)


def test_a_forged_cosignature_is_refused_whatever_the_minimum(signed, log_key):
    _, _, witness, receipt = signed
    # The witness's name and key id, someone else's signature.
    forger = Verifier(witness.name, witness.key_id, witness.public_key, COSIGNATURE_V1)
    note, line = receipt["checkpoint"].rstrip("\n").rsplit("\n", 1)
    raw = bytearray(base64.b64decode(line.rsplit(" ", 1)[1]))
    raw[-1] ^= 1
    forged = f"{note}\n{line.rsplit(' ', 1)[0]} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(VerificationError, match="the signature of nl.example/witness is invalid"):
        verify_receipt(dict(receipt, checkpoint=forged), log_key, [forger], min_witnesses=0)


@pytest.mark.parametrize(
    "change, reason",
    [
        ({"format": "cybercoop-receipt/v0"}, "not a cybercoop-receipt/v1 receipt"),
        ({"origin": "elsewhere.example/log"}, "the receipt names the log 'elsewhere.example/log'"),
        ({"entries": []}, "the receipt has no entries"),
        ({"entries": [{"leaf_index": "2"}]}, "entry 0 has no valid 'leaf_index'"),
        ({"checkpoint": None}, "the receipt has no valid 'checkpoint'"),
    ],
)
def test_a_malformed_receipt_is_refused_naming_why(signed, log_key, change, reason):
    *_, receipt = signed
    with pytest.raises(VerificationError, match=re.escape(reason)):
        verify_receipt({**receipt, **change}, log_key)


def test_the_latest_checkpoint_holding_every_event_is_used(world, log_key):
    events = append(3)
    first = checkpoints.checkpoint_sign()
    later = append(2)
    second = checkpoints.checkpoint_sign()
    assert covering_checkpoint(events) == second
    assert covering_checkpoint([*events, *later]) == second
    assert first.tree_size < second.tree_size


def test_a_checkpoint_is_signed_on_demand_when_none_holds_the_events(world, log_key):
    events = append(2)
    checkpoints.checkpoint_sign()
    newer = append(1)
    checkpoint = covering_checkpoint(newer)
    assert checkpoint.tree_size == newer[0].leaf_index + 1
    assert SignedCheckpoint.objects.count() == 2
    receipt = receipt_build(events=[events[0], *newer], checkpoint=checkpoint, note=checkpoint.note)
    assert len(verify_receipt(receipt, log_key)) == 2


def test_without_a_key_the_receipt_is_refused_as_not_yet_signed(world, no_log_key):
    events = append(1)
    with pytest.raises(StateConflict, match=re.escape(NOT_YET_SIGNED)):
        covering_checkpoint(events)
    assert NOT_YET_SIGNED == "This record is not yet in a signed checkpoint; try again in a minute."


def test_a_checkpoint_that_does_not_hold_every_event_is_not_used(world, log_key):
    events = append(2)
    checkpoint = checkpoints.checkpoint_sign()
    later = append(1)
    with pytest.raises(ValueError, match="does not hold every event"):
        receipt_build(events=[*events, *later], checkpoint=checkpoint, note=checkpoint.note)
