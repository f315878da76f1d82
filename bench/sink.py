"""A fast benchmark receiver: verifies each Standard Webhooks signature, dedupes on
webhook-id, counts objects and records receipt times. ``GET /stats`` returns them.

    python bench/sink.py --port 8899 --secret whsec_...
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sharing.webhooks import InvalidSignature, verify  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--secret", required=True)
    args = parser.parse_args()
    lock = threading.Lock()
    seen: set[str] = set()
    samples: list[tuple[float, int]] = []
    stats = {"objects": 0, "requests": 0, "duplicates": 0, "rejected": 0}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def _reply(self, code: int, body: bytes = b"") -> None:
            self.send_response(code)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):  # noqa: N802
            with lock:
                body = json.dumps({**stats, "samples": samples}).encode()
            self._reply(200, body)

        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            try:
                msg_id = verify(args.secret, dict(self.headers.items()), body)
            except InvalidSignature:
                stats["rejected"] += 1
                return self._reply(401)
            count = len(json.loads(body)["objects"])
            now = time.time()
            with lock:
                stats["requests"] += 1
                if msg_id in seen:
                    stats["duplicates"] += 1
                else:
                    seen.add(msg_id)
                    stats["objects"] += count
                    samples.append((now, count))
            self._reply(200)

    # It stands in for all the endpoints at once, so it takes as many connections as a server
    # per endpoint would (the standard library's listen backlog of 5 resets the rest).
    ThreadingHTTPServer.request_queue_size = 128
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    server.serve_forever()


if __name__ == "__main__":
    main()
