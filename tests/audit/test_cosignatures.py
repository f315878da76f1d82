"""C2SP tlog-cosignature v1 (Ed25519): the stand-alone verifier accepts a cosignature built
here byte by byte from the spec (key id SHA-256(name || 0x0A || 0x04 || key)[:4]; signature =
8-byte big-endian time || Ed25519 over "cosignature/v1\\ntime T\\n" + the checkpoint text),
the server's signer makes the same bytes, and a changed time, text, key or type is refused."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from audit.notes import checkpoint_text, cosign, sign_note, verifier_for
from tools.verify_log import (
    COSIGNATURE_V1,
    EM_DASH,
    VerificationError,
    Verifier,
    verify_checkpoint,
    verify_cosignature,
)

NAME = "witness.example.org/w1"
TEXT = checkpoint_text("cybercoop.example/log", 20852163, bytes(range(32)))
TIME = 1679315147


@pytest.fixture
def witness_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))


def by_hand(key: Ed25519PrivateKey, text: str = TEXT, when: int = TIME) -> tuple[str, str]:
    """The verifier key and the signature line, from the spec's words alone."""
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    key_id = hashlib.sha256(NAME.encode() + b"\n" + b"\x04" + public).digest()[:4]
    encoded = base64.b64encode(b"\x04" + public).decode()
    vkey = f"{NAME}+{key_id.hex()}+{encoded}"
    message = b"cosignature/v1\ntime " + str(when).encode() + b"\n" + text.encode()
    raw = key_id + when.to_bytes(8, "big") + key.sign(message)
    return vkey, f"\u2014 {NAME} {base64.b64encode(raw).decode()}\n"


def test_a_cosignature_made_by_hand_from_the_spec_verifies(witness_key):
    vkey, line = by_hand(witness_key)
    log_key = Ed25519PrivateKey.from_private_bytes(bytes(32))
    note = sign_note(TEXT, "cybercoop.example/log", log_key) + line
    checkpoint, when = verify_cosignature(note, Verifier.parse(vkey))
    assert (checkpoint.size, when) == (20852163, TIME)
    # the log's own signature still verifies beside it
    verify_checkpoint(note, verifier_for("cybercoop.example/log", log_key))


def test_the_servers_signer_makes_the_spec_bytes(witness_key):
    vkey, line = by_hand(witness_key)
    assert cosign(TEXT, NAME, witness_key, TIME) == line  # Ed25519 is deterministic
    assert str(verifier_for(NAME, witness_key, COSIGNATURE_V1)) == vkey


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda note, vkey: (note.replace("20852163", "20852164"), vkey), "is invalid"),
        (lambda note, vkey: (re.sub(r" (\S+)\n$", " AAAA\n", note), vkey), "is too short"),
        (lambda note, vkey: (note, re.sub(r"\+\w{8}\+", "+00000000+", vkey)), "id does not"),
        (lambda note, vkey: (note.split(EM_DASH)[0], vkey), "a blank line, then signature"),
    ],
)
def test_a_changed_cosignature_is_refused_naming_why(witness_key, change, message):
    vkey, line = by_hand(witness_key)
    note, vkey = change(TEXT + "\n" + line, vkey)
    with pytest.raises(VerificationError, match=message):
        verify_cosignature(note, Verifier.parse(vkey))


def test_a_cosignature_at_another_time_than_it_says_is_refused(witness_key):
    vkey, line = by_hand(witness_key)
    raw = bytearray(base64.b64decode(line.split()[-1]))
    raw[4:12] = (TIME + 1).to_bytes(8, "big")
    forged = f"{EM_DASH} {NAME} {base64.b64encode(bytes(raw)).decode()}\n"
    with pytest.raises(VerificationError, match=f"the signature of {NAME} is invalid"):
        verify_cosignature(TEXT + "\n" + forged, Verifier.parse(vkey))


def test_log_keys_and_cosigner_keys_are_not_interchangeable(witness_key):
    vkey, line = by_hand(witness_key)
    log_vkey = verifier_for(NAME, witness_key)
    with pytest.raises(VerificationError, match="is a log key, not a cosigner key"):
        verify_cosignature(TEXT + "\n" + line, log_vkey)
    with pytest.raises(VerificationError, match="is a cosigner key, not a log key"):
        verify_checkpoint(TEXT + "\n" + line, Verifier.parse(vkey))
