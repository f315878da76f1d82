"""Signing C2SP signed notes with Ed25519 (the log's checkpoints, later witnesses' cosigned
ones): the server side of ``tools.verify_log``, which verifies them."""

from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from tools.verify_log import ED25519, EM_DASH, Verifier, key_id


def verifier_for(name: str, key: Ed25519PrivateKey) -> Verifier:
    """The public verifier key ``<name>+<hex key id>+<base64(0x01 || key)>`` of ``key``."""
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return Verifier(name, key_id(name, ED25519, public), public)


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
