"""A reference partner receiver: verifies Standard Webhooks signatures, dedupes on
``webhook-id``, stores the STIX objects (or the signed checkpoint, or the ids a withdrawal
takes back) in its own SQLite file, prints a line per delivery.

``--fail-rate`` makes it fail that share of requests, half with a 500 (nothing stored) and
half with a timeout (stored, then the answer comes too late) — the worst case for a sender.
"""

from __future__ import annotations

import contextlib
import json
import random
import sqlite3
import sys
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sharing import webhooks

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    webhook_id TEXT PRIMARY KEY, received_at TEXT NOT NULL, objects INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS objects (
    webhook_id TEXT NOT NULL, stix_id TEXT NOT NULL, revoked INTEGER NOT NULL,
    modified TEXT NOT NULL, body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS checkpoints (
    webhook_id TEXT PRIMARY KEY, tree_size INTEGER NOT NULL, note TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS withdrawals (
    webhook_id TEXT NOT NULL, stix_id TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS requests (
    webhook_id TEXT, received_at TEXT NOT NULL, outcome TEXT NOT NULL
);
"""


class Store:
    def __init__(self, path: str) -> None:
        self.lock = threading.Lock()
        self.db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)

    def log(self, webhook_id: str | None, outcome: str) -> None:
        with self.lock:
            self.db.execute(
                "INSERT INTO requests VALUES (?, ?, ?)",
                (webhook_id, datetime.now(UTC).isoformat(), outcome),
            )

    def store(
        self,
        webhook_id: str,
        objects: list[dict[str, Any]],
        checkpoint: tuple[int, str] | None = None,
        withdrawn: list[str] | None = None,
    ) -> bool:
        """Store a message (STIX objects, a checkpoint's tree size and signed note, or the
        ids of withdrawn objects) once; False if this webhook id was processed before."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                cursor = self.db.execute(
                    "INSERT OR IGNORE INTO messages VALUES (?, ?, ?)",
                    (webhook_id, datetime.now(UTC).isoformat(), len(objects)),
                )
                if cursor.rowcount == 0:
                    self.db.execute("ROLLBACK")
                    return False
                self.db.executemany(
                    "INSERT INTO objects VALUES (?, ?, ?, ?, ?)",
                    [
                        (
                            webhook_id,
                            str(obj.get("id")),
                            int(bool(obj.get("revoked"))),
                            str(obj.get("modified")),
                            json.dumps(obj),
                        )
                        for obj in objects
                    ],
                )
                if checkpoint is not None:
                    self.db.execute(
                        "INSERT INTO checkpoints VALUES (?, ?, ?)", (webhook_id, *checkpoint)
                    )
                self.db.executemany(
                    "INSERT INTO withdrawals VALUES (?, ?)",
                    [(webhook_id, stix_id) for stix_id in withdrawn or []],
                )
                self.db.execute("COMMIT")
            except Exception:
                self.db.execute("ROLLBACK")
                raise
        return True


def make_handler(
    *,
    secret: str,
    store: Store,
    fail_rate: float = 0.0,
    timeout_sleep: float = 3.0,
    tolerance: int = webhooks.DEFAULT_TOLERANCE,
    rng: random.Random | None = None,
    out: Any = sys.stdout,
):
    dice = rng or random.Random()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:  # one line per delivery is ours to print
            pass

        def _answer(self, code: int, text: str) -> None:
            body = text.encode()
            self.send_response(code)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def _say(self, line: str) -> None:
            out.write(f"{datetime.now(UTC):%H:%M:%S.%f} {line}\n")
            out.flush()

        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            msg_id = self.headers.get("webhook-id")
            try:
                msg_id = webhooks.verify(
                    secret, dict(self.headers.items()), body, tolerance=tolerance
                )
            except webhooks.InvalidSignature as exc:
                store.log(msg_id, f"rejected: {exc}")
                self._say(f"{msg_id} REJECTED {exc}")
                self._answer(401, str(exc))
                return
            objects: list[dict[str, Any]] = []
            checkpoint: tuple[int, str] | None = None
            withdrawn: list[str] | None = None
            try:
                message = json.loads(body)
                if message.get("type") == "checkpoint":
                    checkpoint = (int(message["tree_size"]), str(message["note"]))
                elif message.get("type") == "withdrawal":
                    if not isinstance(message["ids"], list):
                        raise TypeError("ids: a list of STIX ids is required")
                    withdrawn = [str(stix_id) for stix_id in message["ids"]]
                else:
                    objects = message["objects"]
            except (ValueError, KeyError, TypeError, AttributeError):
                store.log(msg_id, "bad body")
                self._answer(400, "expected a STIX bundle, a checkpoint or a withdrawal")
                return
            if checkpoint is not None:
                what = f"checkpoint {checkpoint[0]} received"
            elif withdrawn is not None:
                what = f"{len(withdrawn)} objects withdrawn"
            else:
                revoked = sum(1 for o in objects if o.get("revoked"))
                what = f"{len(objects)} objects ({revoked} revoked)"
            roll = dice.random()
            if roll < fail_rate / 2:
                store.log(msg_id, "simulated 500")
                self._say(f"{msg_id} SIMULATED 500")
                self._answer(500, "simulated failure")
                return
            fresh = store.store(msg_id, objects, checkpoint, withdrawn)
            outcome = "stored" if fresh else "duplicate"
            if roll < fail_rate:
                store.log(msg_id, f"{outcome}, simulated timeout")
                self._say(f"{msg_id} {what} {outcome}; SIMULATED TIMEOUT")
                time.sleep(timeout_sleep)
                with contextlib.suppress(OSError):  # the sender gave up waiting
                    self._answer(200, outcome)
                return
            store.log(msg_id, outcome)
            self._say(f"{msg_id} {what} {outcome}")
            self._answer(200, outcome)

    return Handler


def serve(
    *,
    host: str,
    port: int,
    secret: str,
    db: str,
    fail_rate: float = 0.0,
    timeout_sleep: float = 3.0,
    seed: int | None = None,
    out: Any = sys.stdout,
) -> ThreadingHTTPServer:
    store = Store(db)
    handler = make_handler(
        secret=secret,
        store=store,
        fail_rate=fail_rate,
        timeout_sleep=timeout_sleep,
        rng=random.Random(seed),
        out=out,
    )
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server
