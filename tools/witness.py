"""A witness of CyberCoop's transparency log, run by a partner agency: it fetches the log's
latest signed checkpoint, checks it extends the last one it verified (RFC 9162 consistency
proof), remembers it, cosigns it (C2SP tlog-cosignature v1, Ed25519) and posts the
cosignature back. A log that shrank (ROLLBACK) or shows two histories (FORK) is refused.

Stand-alone on purpose: the standard library, ``cryptography`` and ``tools.verify_log`` only,
so an agency can copy the ``tools`` directory and run it without the platform:

    python -m tools.witness --generate-key witness.example.org/w1 --key-file witness.key
    python -m tools.witness --url https://cybercoop.example --verifier-key LOG_VERIFIER_KEY \\
        --key-file witness.key --state witness.state --api-key KEY   (or CYBERCOOP_API_KEY)

Exit status: 0 cosigned; 1 the log failed verification (fork, rollback, bad signature);
2 usage, configuration or network trouble.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
)

from tools.verify_log import (
    COSIGNATURE_V1,
    ED25519,
    EM_DASH,
    Checkpoint,
    VerificationError,
    Verifier,
    cosignature_message,
    key_id,
    parse_checkpoint,
    parse_note,
    verify_checkpoint,
    verify_consistency,
)

OK, FAILED, TROUBLE = 0, 1, 2
NAME_HEADER = "Witness name: "  # explanatory text before the PEM block (RFC 7468 allows it)
TIMEOUT = 30


class Writer(Protocol):
    def write(self, text: str, /) -> object: ...


class WitnessFailure(Exception):
    """The log failed verification: exit 1 (the message starts with ROLLBACK, FORK or BAD)."""


class WitnessTrouble(Exception):
    """Usage, configuration or network trouble: exit 2 (the log is not accused of anything)."""


# --- keys and cosignatures ----------------------------------------------------------------------


def cosigner_verifier(name: str, key: Ed25519PrivateKey) -> Verifier:
    """The witness's verifier key ``<name>+<hex key id>+<base64(0x04 || key)>``."""
    public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return Verifier(name, key_id(name, COSIGNATURE_V1, public), public, COSIGNATURE_V1)


def cosign(text: str, name: str, key: Ed25519PrivateKey, timestamp: int) -> str:
    """The tlog-cosignature v1 signature line of witness ``name`` over a checkpoint's note
    text, made at POSIX time ``timestamp``."""
    signature = key.sign(cosignature_message(text, timestamp))
    raw = cosigner_verifier(name, key).key_id + timestamp.to_bytes(8, "big") + signature
    return f"{EM_DASH} {name} {base64.b64encode(raw).decode()}\n"


def generate_key(path: Path, name: str) -> Verifier:
    """Write a new witness key (its name, then PEM; owner-only, never over an existing file)
    and return the verifier key to register at the log."""
    if not name or any(c.isspace() or c == "+" for c in name):
        raise WitnessTrouble("a witness name is not empty and holds no space or plus sign")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise WitnessTrouble(f"{path} exists: a witness key is never overwritten") from None
    except OSError as exc:
        raise WitnessTrouble(f"cannot write {path}: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(f"{NAME_HEADER}{name}\n".encode() + pem)
    return cosigner_verifier(name, key)


def load_key(path: Path) -> tuple[str, Ed25519PrivateKey]:
    """The witness's name and Ed25519 key from a file ``generate_key`` wrote."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WitnessTrouble(f"cannot read the witness key {path}: {exc.strerror}") from None
    first = data.split(b"\n", 1)[0].decode("utf-8", "replace")
    if not first.startswith(NAME_HEADER):
        raise WitnessTrouble(f"{path} does not start with '{NAME_HEADER}<name>'")
    try:
        key = load_pem_private_key(data, password=None)
    except ValueError:
        raise WitnessTrouble(f"{path} holds no readable private key") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise WitnessTrouble(f"{path} is not an Ed25519 key")
    return first[len(NAME_HEADER) :].strip(), key


# --- state: the last checkpoint this witness verified --------------------------------------------


def load_state(path: Path) -> Checkpoint | None:
    """The last verified checkpoint (the file holds its signed note), or None on a first run."""
    try:
        note = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise WitnessTrouble(f"cannot read the state file {path}: {exc.strerror}") from None
    try:
        return parse_checkpoint(parse_note(note).text if "\n\n" in note else note)
    except VerificationError as exc:
        raise WitnessTrouble(f"the state file {path} holds no checkpoint: {exc}") from None


def save_state(path: Path, note: str) -> None:
    """Replace the state file atomically: a crash leaves the old or the new, never half."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(note)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


# --- the log's API -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LogClient:
    """The transparency endpoints of a CyberCoop server, with an agency API key (Bearer)."""

    base_url: str
    api_key: str

    def _call(self, path: str, body: bytes | None = None) -> bytes:
        url = f"{self.base_url.rstrip('/')}/api/v1/transparency/{path}"
        headers = {"Authorization": f"Bearer {self.api_key}", "Accept": "*/*"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace").strip()
            where = urllib.parse.urlsplit(url).path
            raise WitnessTrouble(f"{where} answered HTTP {exc.code}: {detail}") from None
        except (urllib.error.URLError, OSError, ValueError) as exc:
            reason = getattr(exc, "reason", exc)
            raise WitnessTrouble(f"cannot reach {self.base_url}: {reason}") from None

    def checkpoint(self) -> str:
        return self._call("checkpoint").decode("utf-8")

    def consistency_proof(self, first: int, second: int) -> list[bytes]:
        answer = self._json(self._call(f"proof/consistency?first={first}&second={second}"))
        try:
            return [base64.b64decode(h, validate=True) for h in answer["hashes"]]
        except (KeyError, TypeError, ValueError):
            raise WitnessFailure(
                f"FORK: the log's consistency proof from {first} to {second} entries is malformed"
            ) from None

    def post_cosignature(self, note: str) -> dict[str, Any]:
        answer = self._json(self._call("cosignatures", json.dumps({"note": note}).encode()))
        if not isinstance(answer, dict):
            raise WitnessTrouble("the server's answer is not a JSON object")
        return answer

    @staticmethod
    def _json(raw: bytes) -> Any:
        try:
            return json.loads(raw)
        except ValueError:
            raise WitnessTrouble("the server's answer is not JSON") from None


# --- one run -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Result:
    checkpoint: Checkpoint
    recorded_for: list[str]


def _check_extends(client: LogClient, old: Checkpoint | None, new: Checkpoint) -> None:
    if old is None:
        return
    if new.size < old.size:
        raise WitnessFailure(
            f"ROLLBACK: the log now shows {new.size} entries, fewer than the {old.size} "
            "this witness already verified"
        )
    if new.size == old.size:
        if new.root != old.root:
            raise WitnessFailure(
                f"FORK: the log shows a different root for the {new.size} entries this "
                "witness already verified"
            )
        return
    proof = client.consistency_proof(old.size, new.size)
    try:
        verify_consistency(old.size, new.size, old.root, new.root, proof)
    except VerificationError as exc:
        raise WitnessFailure(
            f"FORK: the checkpoint at {new.size} entries does not extend the one at "
            f"{old.size} this witness verified ({exc})"
        ) from None


def witness_once(
    client: LogClient,
    log_key: Verifier,
    key_file: Path,
    state_file: Path,
    clock: Callable[[], float] = time.time,
) -> Result:
    """Verify the log's latest checkpoint against the state, save it, cosign it, post it."""
    name, key = load_key(key_file)
    old = load_state(state_file)
    note = client.checkpoint()
    try:
        new = verify_checkpoint(note, log_key)
    except VerificationError as exc:
        raise WitnessFailure(f"BAD SIGNATURE: the log's checkpoint: {exc}") from None
    if new.origin != log_key.name:
        raise WitnessFailure(f"BAD SIGNATURE: the checkpoint names the log {new.origin!r}")
    _check_extends(client, old, new)
    save_state(state_file, note)  # remembered before it is vouched for (C2SP tlog-witness)
    parsed = parse_note(note)
    log_line = next(
        f"{EM_DASH} {s.name} {base64.b64encode(s.key_id + s.signature).decode()}\n"
        for s in parsed.signatures
        if (s.name, s.key_id) == (log_key.name, log_key.key_id)
    )
    cosigned = f"{parsed.text}\n{log_line}{cosign(parsed.text, name, key, int(clock()))}"
    answer = client.post_cosignature(cosigned)
    return Result(new, list(answer.get("witnesses", [])))


# --- command line --------------------------------------------------------------------------------


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="The CyberCoop server, e.g. https://cybercoop.example")
    parser.add_argument("--verifier-key", help="The log's published verifier key (type 0x01)")
    parser.add_argument("--key-file", help="This witness's key file (see --generate-key)")
    parser.add_argument("--state", help="File holding the last checkpoint this witness verified")
    parser.add_argument(
        "--api-key",
        help="An agency API key with the witness scope (default: $CYBERCOOP_API_KEY)",
    )
    parser.add_argument(
        "--generate-key",
        metavar="NAME",
        help="Write a new witness key named NAME to --key-file and print its verifier key",
    )


def _write(stream: Writer, line: str) -> None:
    stream.write(line + "\n")


def run(options: dict[str, Any], stdout: Writer = sys.stdout, stderr: Writer = sys.stderr) -> int:
    """One invocation with parsed ``options``; the exit status. Never prints the API key."""
    try:
        if options.get("generate_key"):
            if not options.get("key_file"):
                raise WitnessTrouble("--generate-key needs --key-file")
            verifier = generate_key(Path(options["key_file"]), options["generate_key"])
            _write(stdout, f"Witness key written to {options['key_file']} (keep it secret).")
            _write(stdout, "Verifier key (register it at the log):")
            _write(stdout, str(verifier))
            return OK
        api_key = options.get("api_key") or os.environ.get("CYBERCOOP_API_KEY", "")
        required = ["url", "verifier_key", "key_file", "state"]
        missing = [f"--{n.replace('_', '-')}" for n in required if not options.get(n)]
        if missing or not api_key:
            missing += [] if api_key else ["--api-key (or CYBERCOOP_API_KEY)"]
            raise WitnessTrouble(f"missing {', '.join(missing)}")
        try:
            log_key = Verifier.parse(options["verifier_key"])
        except VerificationError as exc:
            raise WitnessTrouble(f"--verifier-key: {exc}") from None
        if log_key.type != ED25519:
            raise WitnessTrouble("--verifier-key: give the log's key (type 0x01), not a witness's")
        result = witness_once(
            LogClient(options["url"], api_key),
            log_key,
            Path(options["key_file"]),
            Path(options["state"]),
        )
    except WitnessFailure as failure:
        _write(stderr, str(failure))
        return FAILED
    except WitnessTrouble as trouble:
        _write(stderr, f"witness: {trouble}")
        return TROUBLE
    root = base64.b64encode(result.checkpoint.root).decode()
    _write(
        stdout,
        f"cosigned {result.checkpoint.origin} at {result.checkpoint.size} entries (root {root}); "
        f"the log recorded: {', '.join(result.recorded_for)}",
    )
    return OK


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    add_arguments(parser)
    return run(vars(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())
