"""Generate N synthetic, valid, distinct indicators as a JSON list (the ingest benchmark's input).

python bench/generate.py 100000 > /tmp/indicators-100k.json
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import random
import sys
import uuid


def indicators(count: int, seed: int = 1):
    rng = random.Random(seed)
    base = int(ipaddress.IPv4Address("11.0.0.0"))
    for n in range(count):
        kind = n % 6
        digest = hashlib.sha256(f"{seed}-{n}".encode()).hexdigest()
        if kind == 0:
            type_, value = "ipv4", str(ipaddress.IPv4Address(base + n))
        elif kind == 1:
            type_, value = "domain", f"c2-{digest[:12]}.example"
        elif kind == 2:
            type_, value = "url", f"https://phish-{digest[:10]}.example/login?id={n}"
        elif kind == 3:
            type_, value = "sha256", digest
        elif kind == 4:
            type_, value = "md5", digest[:32]
        else:
            type_, value = "email", f"mule{n}@{digest[:8]}.example"
        yield {
            "id": f"indicator--{uuid.UUID(digest[:32], version=4)}",
            "type": type_,
            "value": value,
            "confidence": rng.randint(30, 100),
            "tlp": rng.choice(["GREEN", "AMBER"]),
            "modified": "2026-11-01T00:00:00Z",
            "labels": ["bench"],
        }


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    json.dump(list(indicators(count)), sys.stdout)
