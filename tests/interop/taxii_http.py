"""Talking TAXII 2.1 to the test server: the media type, the API root, collection URLs, GET."""

from __future__ import annotations

from typing import Any

from interop.selectors import collection_id
from interop.stix import identity_id
from sharing.stix import (
    CYBERCOOP_EXTENSION_ID,
    PAP_MARKING_IDS,
    PLATFORM_IDENTITY_ID,
    TLP_MARKING_IDS,
    tlp1_markings,
)

TAXII = "application/taxii+json;version=2.1"
# What a collection serves beside its objects: the owning agencies' identities, the markings,
# our extension's definition and the platform identity that publishes it.
CONTEXT_TYPES = ("identity", "marking-definition", "extension-definition")
ROOT = "/taxii2/cybercoop/"


def collection_url(key: Any, kind: str, suffix: str = "objects/") -> str:
    """A URL under the key's agency's collection of ``kind`` (shared, submissions, own)."""
    return f"{ROOT}collections/{collection_id(key.agency, kind)}/{suffix}"


def get(client: Any, url: str, key: Any, accept: str | None = TAXII, **params: Any) -> Any:
    headers = {"HTTP_ACCEPT": accept} if accept is not None else {}
    return client.get(url, params, **headers, **key.bearer)


def without_context(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The objects of an envelope or manifest but the context (identities, markings)."""
    return [o for o in objects if o["id"].split("--")[0] not in CONTEXT_TYPES]


def context_ids(agency_code: str) -> set[str]:
    """The context's ids, for a collection of objects the agency ``agency_code`` owns."""
    markings = {*TLP_MARKING_IDS.values(), *PAP_MARKING_IDS.values()}
    markings |= {marking["id"] for marking in tlp1_markings()}
    return {identity_id(agency_code), *markings, CYBERCOOP_EXTENSION_ID, PLATFORM_IDENTITY_ID}
