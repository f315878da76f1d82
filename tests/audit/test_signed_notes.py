"""C2SP signed notes and checkpoints: the stand-alone verifier accepts the published vectors
(Go's golang.org/x/mod/sumdb/note tests, the c2sp.org/signed-note example, the Go checksum
database's verifier key), and the server's signer produces notes it verifies; any change of
text, key or signature is refused."""

from __future__ import annotations

import ast
import base64
import hashlib
import re
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit.notes import checkpoint_text, sign_note, verifier_for
from tools.verify_log import (
    EM_DASH,
    VerificationError,
    Verifier,
    parse_checkpoint,
    verify_checkpoint,
    verify_note,
)

ROOT = Path(__file__).resolve().parents[2]
GO_TEXT = (
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
)
PETER_KEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
ENOCH_KEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
GO_NOTE = (
    f"{GO_TEXT}\n"
    f"{EM_DASH} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZ"
    "SNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
    f"{EM_DASH} EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ov"
    "TG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)
FOO_KEY = "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k"
FOO_NOTE = (
    "This is an example message.\n\n"
    f"{EM_DASH} example.com/foo Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYN"
    "ZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n"
)
SUMDB_KEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"


def test_published_notes_verify_with_their_keys():
    assert verify_note(GO_NOTE, Verifier.parse(PETER_KEY)).text == GO_TEXT
    assert verify_note(GO_NOTE, Verifier.parse(ENOCH_KEY)).text == GO_TEXT
    assert verify_note(FOO_NOTE, Verifier.parse(FOO_KEY)).text == "This is an example message.\n"
    assert str(Verifier.parse(SUMDB_KEY)) == SUMDB_KEY  # key id = SHA-256(name, 0x0A, 0x01, key)


@pytest.mark.parametrize(
    "note, key, message",
    [
        (GO_NOTE.replace("problem,", "problem;"), PETER_KEY, "is invalid"),
        (FOO_NOTE, PETER_KEY, "no signature of PeterNeumann"),
        (GO_TEXT, PETER_KEY, "a blank line"),
        ("text\n\nnot a signature\n", PETER_KEY, "not a signature line"),
        (FOO_NOTE.replace("\n\n", "\x07\n\n"), FOO_KEY, "control characters"),
    ],
)
def test_a_changed_or_unsigned_note_is_refused_naming_why(note, key, message):
    with pytest.raises(VerificationError, match=re.escape(message)):
        verify_note(note, Verifier.parse(key))


def test_a_verifier_key_whose_id_does_not_match_is_refused():
    forged = SUMDB_KEY.replace("+033de0ae+", "+033de0af+")
    with pytest.raises(VerificationError, match="id does not match"):
        Verifier.parse(forged)


def test_the_server_signs_checkpoints_the_verifier_accepts():
    key = Ed25519PrivateKey.generate()
    verifier = verifier_for("cybercoop.example/log", key)
    assert Verifier.parse(str(verifier)) == verifier
    root = hashlib.sha256(b"root").digest()
    note = sign_note(checkpoint_text("cybercoop.example/log", 1141, root), verifier.name, key)
    lines = note.split("\n")
    assert lines[:4] == ["cybercoop.example/log", "1141", base64.b64encode(root).decode(), ""]
    assert lines[4].startswith(f"{EM_DASH} cybercoop.example/log ")
    found = verify_checkpoint(note, verifier)
    assert (found.origin, found.size, found.root) == ("cybercoop.example/log", 1141, root)
    other = verifier_for("cybercoop.example/log", Ed25519PrivateKey.generate())
    with pytest.raises(VerificationError, match="no signature"):
        verify_checkpoint(note, other)  # same name, another key: another key id
    with pytest.raises(VerificationError, match="is invalid"):
        verify_checkpoint(note.replace("\n1141\n", "\n1116\n"), verifier)


@pytest.mark.parametrize(
    "text, message",
    [
        ("log\n", "an origin, a size and a root"),
        ("log\n01\nAAAA\n", "not a tree size"),
        ("log\n1\nnot base64!\n", "not base64"),
        ("log\n1\nAAAA\n", "not 32 bytes"),
    ],
)
def test_a_malformed_checkpoint_is_refused_naming_why(text, message):
    with pytest.raises(VerificationError, match=re.escape(message)):
        parse_checkpoint(text)


def test_the_verifier_imports_only_the_standard_library_and_cryptography():
    tree = ast.parse((ROOT / "tools" / "verify_log.py").read_text(encoding="utf-8"))
    modules = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    roots = {name.split(".")[0] for name in modules}
    assert roots - set(sys.stdlib_module_names) - {"__future__"} == {"cryptography"}


def test_the_verifier_runs_as_a_script_and_says_what_it_found(tmp_path):
    key = Ed25519PrivateKey.generate()
    verifier = verifier_for("cybercoop.example/log", key)
    note = sign_note(checkpoint_text("cybercoop.example/log", 7, bytes(32)), verifier.name, key)
    (tmp_path / "checkpoint").write_text(note, encoding="utf-8")
    script = [sys.executable, str(ROOT / "tools" / "verify_log.py"), "checkpoint"]
    ok = subprocess.run(
        [*script, str(tmp_path / "checkpoint"), str(verifier)], capture_output=True, text=True
    )
    assert ok.returncode == 0 and "verified: cybercoop.example/log, 7 entries" in ok.stdout
    (tmp_path / "checkpoint").write_text(note.replace("\n7\n", "\n8\n"), encoding="utf-8")
    bad = subprocess.run(
        [*script, str(tmp_path / "checkpoint"), str(verifier)], capture_output=True, text=True
    )
    assert bad.returncode == 1 and "NOT VERIFIED" in bad.stderr
