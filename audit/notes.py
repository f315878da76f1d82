"""Signing C2SP signed notes with Ed25519: the log's checkpoints, and (``cosign``, from the
stand-alone ``tools.witness``) a witness's cosignatures of them (C2SP tlog-cosignature v1).
``tools.verify_log`` verifies both."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tools.verify_log import ED25519, EM_DASH, Verifier, key_id
from tools.witness import cosign as cosign  # a witness's signature line: one home, in tools


def verifier_for(name: str, key: Ed25519PrivateKey, type_: int = ED25519) -> Verifier:
    """The public verifier key ``<name>+<hex key id>+<base64(type || key)>`` of ``key``:
    a log key (0x01) or, with ``COSIGNATURE_V1``, a witness's cosigner key (0x04)."""
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return Verifier(name, key_id(name, type_, public), public, type_)


def sign_note(text: str, name: str, key: Ed25519PrivateKey) -> str:
    """``text`` (ending in a newline), a blank line, and the signature line of ``name``."""
    if not text.endswith("\n"):
        raise ValueError("a note text ends in a newline")
    signature = key.sign(text.encode())
    encoded = base64.b64encode(verifier_for(name, key).key_id + signature).decode()
    return f"{text}\n{EM_DASH} {name} {encoded}\n"


def checkpoint_text(origin: str, size: int, root: bytes) -> str:
    """The C2SP tlog-checkpoint note text: origin, tree size, base64 root hash."""
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n"
