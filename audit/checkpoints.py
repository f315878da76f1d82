"""Signing the log's checkpoints. The Ed25519 key and the last signed checkpoint live outside
the database (TRANSPARENCY_SIGNING_KEY_FILE, and ``<key file>.last`` beside it): whoever can
rewrite the database cannot make the server sign a history that does not extend what it
already signed. A smaller or inconsistent tree is refused, loudly."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    load_pem_private_key,
)
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from audit import log
from audit.models import SignedCheckpoint
from audit.notes import checkpoint_text, sign_note, verifier_for
from audit.signals import checkpoint_signed
from tools.verify_log import (
    Checkpoint,
    VerificationError,
    Verifier,
    parse_checkpoint,
    verify_consistency,
)

NO_KEY = (
    "No transparency signing key at TRANSPARENCY_SIGNING_KEY_FILE: "
    "run manage.py transparency_keygen."
)
SMALLER = "Refusing to sign: the log has {size} entries, fewer than the {last} already signed."
FORKED = (
    "Refusing to sign: the log at {size} entries does not extend the checkpoint signed at {last}."
)


class CheckpointRefused(Exception):
    """The log is not an extension of the last signed checkpoint (rollback or rewrite)."""


def key_path() -> Path:
    return Path(settings.TRANSPARENCY_SIGNING_KEY_FILE)


def state_path() -> Path:
    return key_path().with_name(key_path().name + ".last")


def generate_key(path: Path) -> Verifier:
    """Write a new Ed25519 key (PEM, owner-only) and return its verifier key."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return verifier_for(settings.TRANSPARENCY_ORIGIN, key)


def _key() -> Ed25519PrivateKey:
    try:
        key = load_pem_private_key(key_path().read_bytes(), password=None)
    except FileNotFoundError:
        raise CheckpointRefused(NO_KEY) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointRefused("The transparency signing key is not an Ed25519 key.")
    return key


def verifier() -> Verifier:
    return verifier_for(settings.TRANSPARENCY_ORIGIN, _key())


def last_signed() -> Checkpoint | None:
    """The last checkpoint this server signed, from the file beside the key."""
    try:
        text = state_path().read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return parse_checkpoint(text)


def _check_extends(last: Checkpoint | None, size: int, root: bytes) -> None:
    if last is None:
        return
    if size < last.size:
        raise CheckpointRefused(SMALLER.format(size=size, last=last.size))
    try:
        verify_consistency(last.size, size, last.root, root, log.consistency_proof(last.size, size))
    except (VerificationError, LookupError):
        raise CheckpointRefused(FORKED.format(size=size, last=last.size)) from None


@transaction.atomic
def checkpoint_sign() -> SignedCheckpoint:
    """Sign the log as it is now, if it extends the last signed checkpoint; else refuse."""
    key = _key()
    size = log.tree_size()
    root = log.root(size)
    _check_extends(last_signed(), size, root)
    existing = SignedCheckpoint.objects.filter(tree_size=size, root_hash=root).first()
    if existing is not None:
        return existing
    text = checkpoint_text(settings.TRANSPARENCY_ORIGIN, size, root)
    note = sign_note(text, settings.TRANSPARENCY_ORIGIN, key)
    _write_state(text)
    checkpoint = SignedCheckpoint.objects.create(
        tree_size=size, root_hash=root, note=note, signed_at=timezone.now()
    )
    checkpoint_signed.send(sender=SignedCheckpoint, checkpoint=checkpoint)
    return checkpoint


def _write_state(text: str) -> None:
    """Replace the state file atomically (a crash leaves the old or the new, never half)."""
    path = state_path()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
