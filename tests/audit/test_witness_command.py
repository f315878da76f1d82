"""``manage.py witness`` (the stand-alone ``tools.witness``) end to end against a live server: a
partner agency's witness verifies the log's checkpoint, keeps it as its state, cosigns it and
the cosignature shows on the transparency page; later runs check consistency first. A log
that shrank is a ROLLBACK, one that shows another history a FORK: exit 1, nothing cosigned.
Usage and network trouble exit 2; the API key is never printed."""

from __future__ import annotations

import ast
import os
import socket
import stat
import subprocess
import sys
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from agencies import services
from agencies.models import Cosignature
from agencies.witnesses import witness_register
from audit import checkpoints, log
from audit.models import LogNode
from audit.services import audit_log
from tests.audit.test_checkpoints import rebuild_parents
from tools.verify_log import Verifier, parse_checkpoint, parse_note, verify_cosignature
from tools.witness import load_state

ROOT = Path(__file__).resolve().parents[2]


def grow(entries: int = 3) -> None:
    for n in range(entries):
        audit_log(actor=None, action="test.append", object_type="t", object_id=str(n))


@dataclass
class Run:
    status: int
    out: str
    err: str


@dataclass
class Witness:
    """The partner agency's witness: its key file, state file, API key, and the log's key."""

    url: str
    log_key: Verifier
    key_file: Path
    state: Path
    token: str
    verifier: Verifier

    def run(self, *extra: str, **overrides: str) -> Run:
        options = {
            "--url": self.url,
            "--verifier-key": str(self.log_key),
            "--key-file": str(self.key_file),
            "--state": str(self.state),
            "--api-key": self.token,
            **{f"--{name.replace('_', '-')}": value for name, value in overrides.items()},
        }
        argv = [part for option, value in options.items() if value for part in (option, value)]
        out, err = StringIO(), StringIO()
        try:
            call_command("witness", *argv, *extra, stdout=out, stderr=err)
            status = 0
        except SystemExit as exit_:
            status = int(exit_.code or 0)
        run = Run(status, out.getvalue(), err.getvalue())
        assert self.token not in run.out + run.err  # never printed
        return run


@pytest.fixture
def witness(world, log_key, live_server, tmp_path) -> Witness:
    key_file = tmp_path / "witness.key"
    out = StringIO()
    name = "witness.nhtcu.example/w1"
    call_command("witness", "--generate-key", name, "--key-file", str(key_file), stdout=out)
    verifier = Verifier.parse(out.getvalue().strip().splitlines()[-1])
    witness_register(
        actor=world.partner.admin, agency=world.partner.agency, verifier_key=str(verifier)
    )
    _, token = services.api_key_issue(
        actor=None,
        agency=world.partner.agency,
        user=world.partner.analyst,
        name="witness",
        scopes=["witness"],
    )
    grow()
    checkpoints.checkpoint_sign()
    return Witness(live_server.url, log_key, key_file, tmp_path / "state", token, verifier)


def test_the_witness_key_is_owner_only_named_and_never_overwritten(witness):
    assert stat.S_IMODE(witness.key_file.stat().st_mode) == 0o600
    assert witness.key_file.read_text().startswith("Witness name: witness.nhtcu.example/w1\n")
    assert witness.verifier.type == 0x04
    again = witness.run("--generate-key", "witness.nhtcu.example/w2")
    assert again.status == 2 and "is never overwritten" in again.err


def test_a_first_run_cosigns_and_the_cosignature_shows_on_the_transparency_page(
    world, witness, client_for
):
    run = witness.run()
    assert run.status == 0, run.err
    signed = parse_checkpoint(parse_note(witness.state.read_text()).text)
    assert f"at {signed.size} entries" in run.out and "witness.nhtcu.example/w1" in run.out
    cosignature = Cosignature.objects.get()
    assert cosignature.checkpoint.tree_size == signed.size
    page = client_for(world.owner.analyst).get("/transparency/").content.decode()
    assert f"<div>{world.partner.agency.name} (witness.nhtcu.example/w1) at" in page
    note = client_for(world.outsider.analyst).get("/api/v1/transparency/checkpoint")
    verify_cosignature(note.content.decode(), witness.verifier)


def test_a_second_run_checks_consistency_with_its_state_then_cosigns(witness):
    assert witness.run().status == 0
    first = load_state(witness.state)
    grow(5)
    checkpoints.checkpoint_sign()
    run = witness.run()
    assert run.status == 0, run.err
    second = load_state(witness.state)
    assert second is not None and first is not None and second.size > first.size
    assert Cosignature.objects.count() == 2
    assert witness.run().status == 0  # nothing new: cosigned again, stored once
    assert Cosignature.objects.count() == 2


def test_a_log_smaller_than_the_witness_remembers_is_a_rollback(witness):
    size = log.tree_size()
    origin = witness.log_key.name
    remembered = f"{origin}\n{size + 10}\n{'A' * 43}=\n"
    witness.state.write_text(remembered)
    run = witness.run()
    assert run.status == 1
    assert run.err.strip() == (
        f"ROLLBACK: the log now shows {size} entries, fewer than the {size + 10} this witness "
        "already verified"
    )
    assert witness.state.read_text() == remembered and not Cosignature.objects.exists()


def test_the_same_size_with_another_root_is_a_fork(witness):
    size = log.tree_size()
    witness.state.write_text(f"{witness.log_key.name}\n{size}\n{'A' * 43}=\n")
    run = witness.run()
    assert run.status == 1
    assert run.err.startswith(f"FORK: the log shows a different root for the {size} entries")
    assert not Cosignature.objects.exists()


def test_a_log_rewritten_and_resigned_after_losing_its_state_is_a_fork(witness):
    assert witness.run().status == 0
    remembered = witness.state.read_text()
    old = load_state(witness.state)
    # A forger with the database and the signing key: change an old entry's hash, rebuild the
    # tree, delete the server's record of what it signed, grow the log and sign again.
    LogNode.objects.filter(level=0, index=1).update(hash=bytes(32))
    rebuild_parents()
    checkpoints.state_path().unlink()
    grow(2)
    forged = checkpoints.checkpoint_sign()
    run = witness.run()
    assert run.status == 1
    assert old is not None
    assert run.err.startswith(
        f"FORK: the checkpoint at {forged.tree_size} entries does not extend the one at "
        f"{old.size} this witness verified"
    )
    assert witness.state.read_text() == remembered
    assert not Cosignature.objects.filter(checkpoint=forged).exists()


def test_a_checkpoint_the_log_key_did_not_sign_is_refused(witness, tmp_path):
    other = tmp_path / "other.key"
    other_key = checkpoints.generate_key(other)
    run = witness.run(verifier_key=str(other_key))
    assert run.status == 1
    assert run.err.startswith("BAD SIGNATURE: the log's checkpoint: the note carries no signature")
    assert not witness.state.exists() and not Cosignature.objects.exists()


def test_usage_and_network_trouble_exit_2_saying_what(witness):
    missing = witness.run(url="", state="")
    assert missing.status == 2 and missing.err.strip() == "witness: missing --url, --state"
    cosigner = witness.run(verifier_key=str(witness.verifier))
    assert cosigner.status == 2 and "not a witness's" in cosigner.err
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    unreachable = witness.run(url=f"http://127.0.0.1:{port}")
    assert unreachable.status == 2 and unreachable.err.startswith("witness: cannot reach")
    bad_key = witness.run(api_key="cc_0000_not-a-key")
    assert bad_key.status == 2
    assert "/api/v1/transparency/checkpoint answered HTTP 401" in bad_key.err
    assert "cc_0000_not-a-key" not in bad_key.err


def test_a_witness_the_log_does_not_know_is_told_so(witness, tmp_path):
    stranger = tmp_path / "stranger.key"
    assert witness.run("--generate-key", "stranger.example/w1", key_file=str(stranger)).status == 0
    run = witness.run(key_file=str(stranger))
    assert run.status == 2
    assert "cosignatures answered HTTP 400" in run.err and "unknown witness" in run.err
    assert not Cosignature.objects.exists()


def test_the_witness_needs_only_the_standard_library_cryptography_and_the_verifier(tmp_path):
    tree = ast.parse((ROOT / "tools" / "witness.py").read_text(encoding="utf-8"))
    modules = {
        (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for alias in node.names
    }
    outside = {m for m in modules if m.split(".")[0] not in sys.stdlib_module_names}
    assert outside - {"__future__"} == {
        "cryptography.hazmat.primitives.asymmetric.ed25519",
        "cryptography.hazmat.primitives.serialization",
        "tools.verify_log",
    }
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    made = subprocess.run(
        [sys.executable, "-m", "tools.witness", "--generate-key", "w.example/1"]
        + ["--key-file", str(tmp_path / "w.key")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert made.returncode == 0, made.stderr
    printed = Verifier.parse(made.stdout.split()[-1])
    assert (printed.name, printed.type) == ("w.example/1", 0x04)
    usage = subprocess.run(
        [sys.executable, "-m", "tools.witness"], capture_output=True, text=True, cwd=ROOT, env=env
    )
    assert usage.returncode == 2 and "missing --url" in usage.stderr
