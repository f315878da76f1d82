"""The partner-receiver command that seed_demo prints works as printed, and README names it."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import time
import urllib.request
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from agencies.models import PartnerEndpoint
from sharing.demo import DEMO_RECEIVER_DB, receiver_command
from sharing.webhooks import sign_headers

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _printed_command() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    endpoint = PartnerEndpoint.objects.get(name="NHTCU SOC (demo receiver)")
    command = receiver_command(endpoint.secret)
    assert command in out.getvalue()
    return command


def test_seed_demo_prints_the_receiver_command_that_readme_shows(db):
    command = _printed_command()
    secret = PartnerEndpoint.objects.get(name="NHTCU SOC (demo receiver)").secret
    readme = (ROOT / "README.md").read_text()
    assert command.replace(secret, "whsec_…") in readme
    assert DEMO_RECEIVER_DB in readme


def test_the_printed_receiver_command_starts_and_accepts_a_signed_webhook_without_a_secret_key(
    db, tmp_path
):
    command = _printed_command()
    secret = PartnerEndpoint.objects.get(name="NHTCU SOC (demo receiver)").secret
    words = shlex.split(command)
    assignments = {}
    while re.fullmatch(r"[A-Z_]+=.*", words[0]):
        name, _, value = words.pop(0).partition("=")
        assignments[name] = value
    # A shell without any of the settings the demo does not set itself.
    env = {k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DEBUG")}
    env.update(assignments)
    port = _free_port()
    args = [*words]
    args[args.index("--port") + 1] = str(port)
    args[args.index("--db") + 1] = str(tmp_path / "receiver.sqlite3")
    log = (tmp_path / "receiver.log").open("wb")
    proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            if proc.poll() is not None:
                pytest.fail((tmp_path / "receiver.log").read_text())
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert time.monotonic() < deadline, (tmp_path / "receiver.log").read_text()
                time.sleep(0.1)
        body = json.dumps(
            {"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": []}
        ).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/",
            data=body,
            headers={"Content-Type": "application/json", **sign_headers(secret, "msg_1", body)},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            assert 200 <= response.status < 300
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
