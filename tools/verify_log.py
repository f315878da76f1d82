#!/usr/bin/env python3
"""Verify CyberCoop's transparency log without trusting the server: RFC 9162 Merkle proofs
(inclusion, consistency) and C2SP signed-note checkpoints with Ed25519 signatures.

Stand-alone on purpose: the standard library and ``cryptography`` only, no Django, no project
import, so a partner agency or a court can copy this one file and run it.

    python verify_log.py checkpoint NOTE_FILE VERIFIER_KEY
    python verify_log.py receipt RECEIPT.json LOG_VERIFIER_KEY [--witness COSIGNER_KEY ...]
                                 [--min-witnesses N]
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

ED25519 = 0x01  # signed-note signature type: a log's Ed25519 key
COSIGNATURE_V1 = 0x04  # tlog-cosignature: a witness's timestamped Ed25519 cosignature
EM_DASH = "\u2014"


class VerificationError(Exception):
    """A proof, a signature or a note that does not verify; the message says which."""


# --- RFC 9162 §2.1: the Merkle tree hash -------------------------------------------------------


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()


def verify_inclusion(
    leaf: bytes, index: int, tree_size: int, path: Sequence[bytes], root: bytes
) -> None:
    """RFC 9162 §2.1.3.2: ``leaf`` (its leaf hash) is at ``index`` in the tree of ``root``."""
    if not 0 <= index < tree_size:
        raise VerificationError(f"index {index} is outside a tree of {tree_size} leaves")
    fn, sn, r = index, tree_size - 1, leaf
    for p in path:
        if sn == 0:
            raise VerificationError("the inclusion proof is longer than the tree is deep")
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerificationError("the inclusion proof is shorter than the tree is deep")
    if r != root:
        raise VerificationError("the inclusion proof does not lead to the root")


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Sequence[bytes]
) -> None:
    """RFC 9162 §2.1.4.2: the tree of ``second_root`` extends the tree of ``first_root``."""
    if not 0 <= first <= second:
        raise VerificationError(f"a tree of {first} leaves cannot extend to {second}")
    if first == second:
        if proof:
            raise VerificationError("equal trees have an empty consistency proof")
        if first_root != second_root:
            raise VerificationError("two trees of the same size have different roots")
        return
    if first == 0:
        if proof:
            raise VerificationError("the empty tree has an empty consistency proof")
        return
    if not proof:
        raise VerificationError("the consistency proof is empty")
    path = list(proof)
    if first & (first - 1) == 0:  # a power of two: the first tree is a node of the second
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            raise VerificationError("the consistency proof is too long")
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn & 1 == 0 and fn != 0:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise VerificationError("the consistency proof is too short")
    if fr != first_root:
        raise VerificationError("the consistency proof does not lead to the first root")
    if sr != second_root:
        raise VerificationError("the consistency proof does not lead to the second root")


# --- C2SP signed-note and tlog-checkpoint ------------------------------------------------------


def key_id(name: str, signature_type: int, public_key: bytes) -> bytes:
    """signed-note: SHA-256(key name || 0x0A || signature type || public key)[:4]."""
    return hashlib.sha256(name.encode() + b"\n" + bytes([signature_type]) + public_key).digest()[:4]


@dataclass(frozen=True)
class Verifier:
    """A verifier key ``<name>+<hex key id>+<base64(type || public key)>``: a log's Ed25519
    key (type 0x01) or a witness's cosignature key (type 0x04, C2SP tlog-cosignature)."""

    name: str
    key_id: bytes
    public_key: bytes
    type: int = ED25519

    @classmethod
    def parse(cls, text: str) -> Verifier:
        try:
            name, hex_id, encoded = text.strip().split("+", 2)  # base64 may hold "+"
            raw = base64.b64decode(encoded, validate=True)
            expected_id = bytes.fromhex(hex_id)
        except ValueError as exc:
            raise VerificationError(f"not a verifier key: {text!r}") from exc
        if not name or any(c.isspace() or c == "+" for c in name):
            raise VerificationError("a key name is not empty and holds no space or plus sign")
        if len(raw) != 33 or raw[0] not in (ED25519, COSIGNATURE_V1):
            raise VerificationError(
                "only Ed25519 keys are supported: type 0x01 (a log) or 0x04 (a cosigner)"
            )
        verifier = cls(name, expected_id, raw[1:], raw[0])
        if key_id(name, verifier.type, verifier.public_key) != verifier.key_id:
            raise VerificationError("the verifier key's id does not match its name and key")
        return verifier

    def __str__(self) -> str:
        encoded = base64.b64encode(bytes([self.type]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: bytes
    signature: bytes


@dataclass(frozen=True)
class Note:
    text: str  # ends with a newline; what the signatures sign
    signatures: tuple[Signature, ...]


def parse_note(note: str) -> Note:
    """Split a signed note into its text and signature lines (C2SP signed-note)."""
    if any(ord(c) < 0x20 and c != "\n" for c in note):
        raise VerificationError("a note may hold no control characters but newlines")
    text, sep, tail = note.rpartition("\n\n")
    if not sep or not tail.endswith("\n"):
        raise VerificationError("a note is text, a blank line, then signature lines")
    signatures = []
    for line in tail[:-1].split("\n"):
        prefix, _, rest = line.partition(" ")
        name, _, encoded = rest.rpartition(" ")
        if prefix != EM_DASH or not name:
            raise VerificationError(f"not a signature line: {line!r}")
        try:
            raw = base64.b64decode(encoded, validate=True)
        except ValueError as exc:
            raise VerificationError(f"signature of {name} is not base64") from exc
        if len(raw) < 5:
            raise VerificationError(f"signature of {name} is too short")
        signatures.append(Signature(name, raw[:4], raw[4:]))
    return Note(text + "\n", tuple(signatures))


def _signature_of(parsed: Note, verifier: Verifier) -> Signature:
    for sig in parsed.signatures:
        if (sig.name, sig.key_id) == (verifier.name, verifier.key_id):
            return sig
    raise VerificationError(f"the note carries no signature of {verifier.name}")


def _ed25519_verify(verifier: Verifier, signature: bytes, message: bytes) -> None:
    try:
        Ed25519PublicKey.from_public_bytes(verifier.public_key).verify(signature, message)
    except InvalidSignature:
        raise VerificationError(f"the signature of {verifier.name} is invalid") from None


def verify_note(note: str, verifier: Verifier) -> Note:
    """The note, if ``verifier`` signed it (other signatures are ignored, as the spec says)."""
    if verifier.type != ED25519:
        raise VerificationError(f"{verifier.name} is a cosigner key, not a log key")
    parsed = parse_note(note)
    _ed25519_verify(verifier, _signature_of(parsed, verifier).signature, parsed.text.encode())
    return parsed


def cosignature_message(text: str, timestamp: int) -> bytes:
    """tlog-cosignature: what an Ed25519 cosigner signs over a checkpoint's note text."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def verify_cosignature(note: str, cosigner: Verifier) -> tuple[Checkpoint, int]:
    """The checkpoint and the cosigner's POSIX timestamp, if ``cosigner`` cosigned the note
    (C2SP tlog-cosignature v1: a signature of 8 timestamp bytes, big-endian, then Ed25519)."""
    if cosigner.type != COSIGNATURE_V1:
        raise VerificationError(f"{cosigner.name} is a log key, not a cosigner key")
    parsed = parse_note(note)
    raw = _signature_of(parsed, cosigner).signature
    if len(raw) != 8 + 64:
        raise VerificationError(f"the cosignature of {cosigner.name} is not 72 bytes")
    timestamp = int.from_bytes(raw[:8], "big")
    if timestamp >= 1 << 63:
        raise VerificationError(f"the cosignature of {cosigner.name} has an invalid time")
    _ed25519_verify(cosigner, raw[8:], cosignature_message(parsed.text, timestamp))
    return parse_checkpoint(parsed.text), timestamp


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root: bytes


def parse_checkpoint(text: str) -> Checkpoint:
    """C2SP tlog-checkpoint note text: origin, tree size, base64 root hash (then extensions)."""
    lines = text.rstrip("\n").split("\n")
    if len(lines) < 3 or not all(lines):
        raise VerificationError("a checkpoint has an origin, a size and a root hash line")
    origin, size, root = lines[:3]
    if not size.isdigit() or (size.startswith("0") and size != "0"):
        raise VerificationError(f"not a tree size: {size!r}")
    try:
        raw = base64.b64decode(root, validate=True)
    except ValueError as exc:
        raise VerificationError("the root hash is not base64") from exc
    if len(raw) != 32:
        raise VerificationError("the root hash is not 32 bytes")
    return Checkpoint(origin, int(size), raw)


def verify_checkpoint(note: str, verifier: Verifier) -> Checkpoint:
    return parse_checkpoint(verify_note(note, verifier).text)


# --- evidence receipts (cybercoop-receipt/v1) --------------------------------------------------

RECEIPT_FORMAT = "cybercoop-receipt/v1"


@dataclass(frozen=True)
class ReceiptEntry:
    """One verified entry of a receipt: its place in the log and what the leaf says."""

    leaf_index: int
    leaf: str  # the canonical JSON, exactly as hashed
    created_at: str
    action: str
    object_type: str
    object_id: str
    agency: str
    summary: Any

    def __str__(self) -> str:
        who = f" by {self.agency}" if self.agency else ""
        what = f"{self.object_type}:{self.object_id}"
        return f"leaf {self.leaf_index}: {self.action} {what} at {self.created_at}{who}"


def _field(data: Any, name: str, kind: type, where: str = "the receipt") -> Any:
    value = data.get(name) if isinstance(data, dict) else None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise VerificationError(f"{where} has no valid {name!r}")
    return value


def _entry(raw: Any, checkpoint: Checkpoint, position: int) -> ReceiptEntry:
    where = f"entry {position}"
    index = _field(raw, "leaf_index", int, where)
    leaf = _field(raw, "leaf", str, where)
    encoded = _field(raw, "inclusion_proof", list, where)
    try:
        proof = [base64.b64decode(item, validate=True) for item in encoded]
    except (TypeError, ValueError):
        raise VerificationError(f"the inclusion proof of {where} is not base64") from None
    try:
        raw_leaf = leaf.encode()
    except UnicodeEncodeError:
        raise VerificationError(f"leaf {index} is not UTF-8 text") from None
    try:
        verify_inclusion(leaf_hash(raw_leaf), index, checkpoint.size, proof, checkpoint.root)
    except VerificationError as exc:
        raise VerificationError(f"leaf {index} is not in the checkpoint: {exc}") from None
    try:
        content = json.loads(leaf)
    except ValueError:
        raise VerificationError(f"leaf {index} is not JSON") from None
    if not isinstance(content, dict):
        raise VerificationError(f"leaf {index} is not a JSON object")
    return ReceiptEntry(
        leaf_index=index,
        leaf=leaf,
        created_at=str(content.get("created_at", "")),
        action=str(content.get("action", "")),
        object_type=str(content.get("object_type", "")),
        object_id=str(content.get("object_id", "")),
        agency=str(content.get("agency") or ""),
        summary=content.get("summary"),
    )


def _witnessed(
    note: str, witnesses: Sequence[Verifier], min_witnesses: int | None
) -> list[tuple[Verifier, int]]:
    """The given witnesses that cosigned ``note``; at least ``min_witnesses`` (default: all).
    A cosignature that is present but invalid fails whatever the minimum."""
    needed = len(witnesses) if min_witnesses is None else min_witnesses
    signers = {(sig.name, sig.key_id) for sig in parse_note(note).signatures}
    cosigned, missing = [], []
    for witness in witnesses:
        if (witness.name, witness.key_id) not in signers:
            missing.append(witness.name)
            continue
        cosigned.append((witness, verify_cosignature(note, witness)[1]))
    if len(cosigned) < needed:
        absent = f" (no cosignature of {', '.join(missing)})" if missing else ""
        raise VerificationError(
            f"{len(cosigned)} of the {len(witnesses)} given witnesses cosigned the checkpoint, "
            f"{needed} required{absent}"
        )
    return cosigned


def check_receipt(
    receipt: Any,
    log_key: Verifier,
    witnesses: Sequence[Verifier] = (),
    min_witnesses: int | None = None,
) -> tuple[Checkpoint, list[ReceiptEntry], list[tuple[Verifier, int]]]:
    """The checkpoint, entries and cosignatures of a receipt, each verified (see
    ``verify_receipt``)."""
    if _field(receipt, "format", str) != RECEIPT_FORMAT:
        raise VerificationError(f"not a {RECEIPT_FORMAT} receipt")
    note = _field(receipt, "checkpoint", str)
    checkpoint = verify_checkpoint(note, log_key)
    if checkpoint.origin != _field(receipt, "origin", str):
        raise VerificationError(
            f"the receipt names the log {receipt['origin']!r}, its checkpoint {checkpoint.origin!r}"
        )
    raw_entries = _field(receipt, "entries", list)
    if not raw_entries:
        raise VerificationError("the receipt has no entries")
    entries = [_entry(raw, checkpoint, n) for n, raw in enumerate(raw_entries)]
    return checkpoint, entries, _witnessed(note, witnesses, min_witnesses)


def verify_receipt(
    receipt: Any,
    log_key: Verifier,
    witnesses: Sequence[Verifier] = (),
    min_witnesses: int | None = None,
) -> list[ReceiptEntry]:
    """The entries of a cybercoop-receipt/v1, once the log's signature on its checkpoint, every
    entry's inclusion proof (leaf hash SHA-256(0x00 || leaf)) against the checkpoint's root and
    the cosignatures of the given witnesses (at least ``min_witnesses``, default all) verify;
    else ``VerificationError`` saying what failed."""
    return check_receipt(receipt, log_key, witnesses, min_witnesses)[1]


def _posix_time(timestamp: int) -> str:
    try:
        return dt.datetime.fromtimestamp(timestamp, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return f"POSIX time {timestamp}"


def _receipt_command(args: argparse.Namespace) -> int:
    try:
        with open(args.receipt_file, encoding="utf-8") as handle:
            text = handle.read()
        try:
            receipt = json.loads(text)
        except ValueError as exc:
            raise VerificationError(f"the receipt is not JSON ({exc})") from None
        witnesses = [Verifier.parse(key) for key in args.witness]
        checkpoint, entries, cosigned = check_receipt(
            receipt, Verifier.parse(args.verifier_key), witnesses, args.min_witnesses
        )
    except (OSError, VerificationError) as exc:
        print(f"NOT VERIFIED: {exc}", file=sys.stderr)
        return 1
    print(f"verified: {checkpoint.origin}, checkpoint of {checkpoint.size} entries")
    for witness, timestamp in cosigned:
        print(f"cosigned by {witness.name} at {_posix_time(timestamp)}")
    if not cosigned:
        listed = receipt.get("witnesses")
        named = ", ".join(
            str(w.get("name"))
            for w in (listed if isinstance(listed, list) else [])
            if isinstance(w, dict)
        )
        hint = f" (the receipt names {named}: pass their keys with --witness)" if named else ""
        print(f"no witness checked{hint}")
    for entry in entries:
        print(f"  {entry}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    checkpoint = commands.add_parser("checkpoint", help="verify a signed checkpoint")
    checkpoint.add_argument("note_file")
    checkpoint.add_argument("verifier_key")
    receipt = commands.add_parser(
        "receipt", help="verify an evidence receipt: checkpoint, inclusion proofs, witnesses"
    )
    receipt.add_argument("receipt_file")
    receipt.add_argument("verifier_key", help="the log's verifier key")
    receipt.add_argument(
        "--witness",
        action="append",
        default=[],
        metavar="COSIGNER_KEY",
        help="a witness's cosigner verifier key whose cosignature must verify (repeatable)",
    )
    receipt.add_argument(
        "--min-witnesses",
        type=int,
        metavar="N",
        help="how many of the given witnesses must have cosigned (default: all of them)",
    )
    args = parser.parse_args(argv)
    if args.command == "receipt":
        return _receipt_command(args)
    try:
        with open(args.note_file, encoding="utf-8") as handle:
            found = verify_checkpoint(handle.read(), Verifier.parse(args.verifier_key))
    except (OSError, VerificationError) as exc:
        print(f"NOT VERIFIED: {exc}", file=sys.stderr)
        return 1
    root = base64.b64encode(found.root).decode()
    print(f"verified: {found.origin}, {found.size} entries, root {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
