"""MISP test events (tests/interop/data/misp, README there) and what misp-stix makes of them."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from misp_stix_converter import MISPtoSTIX21Parser

from interop.services import OUTCOMES

DATA = Path(__file__).parent / "data" / "misp"
FEED = DATA / "feed"
EVENT_UUID = "a6ef17d6-91cb-4a05-b10b-2f045daf874c"
SHARING_GROUP_EVENT_UUID = "5d9e3a8c-4f1b-4c6e-9a2d-7b8c9d0e1f21"


def event(name: str = "event-indicators.json") -> dict[str, Any]:
    return copy.deepcopy(json.loads((DATA / name).read_text()))


def feed_events() -> list[dict[str, Any]]:
    manifest = json.loads((FEED / "manifest.json").read_text())
    return [json.loads((FEED / f"{key}.json").read_text()) for key in manifest]


def misp_stix_objects(misp_event: dict[str, Any]) -> list[dict[str, Any]]:
    """The STIX 2.1 objects misp-stix itself makes of an event."""
    parser = MISPtoSTIX21Parser()
    parser.parse_misp_event(misp_event)
    return json.loads(parser.bundle.serialize())["objects"]


def handled(counts: dict[str, int]) -> int:
    """Objects the import accounted for (``revoked`` is a subset of created/updated)."""
    return sum(counts[outcome] for outcome in OUTCOMES if outcome != "revoked")
