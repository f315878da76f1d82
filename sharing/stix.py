"""The one STIX 2.1 mapping for indicators: model → STIX object/bundle, and STIX → fields.

Built on the ``stix2`` library. TLP 2.0 markings use the OASIS TLP 2.0 marking-definition
ids; PAP, handling code, type and owner travel in our published property extension
(``CYBERCOOP_EXTENSION_ID``), so exports pass ``stix2-validator --strict`` and ``stix2`` without
``allow_custom``. Later features (full STIX import/export, TAXII) build on these functions.
"""

from __future__ import annotations

import functools
import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import stix2
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stix2.canonicalization.Canonicalize import canonicalize
from stix2patterns.v21.pattern import Pattern as StixPattern

from agencies.models import TLP, HandlingCode
from sharing.models import PAP, TLP_RANK, Indicator
from sharing.models import IndicatorType as T
from sharing.normalize import FieldError, InvalidValue, detect_type, normalize, reason

# Why a STIX indicator cannot be read, after the property it names (translated when shown).
ID_EXPECTED = _("expected %(form)s")
ID_NOT_RFC_4122 = _("the UUID must be an RFC 4122 UUID (STIX 2.1, section 2.9)")
STIX_PATTERN_REQUIRED = _("a STIX pattern is required")
SINGLE_COMPARISONS = _(
    "only single comparisons such as [ipv4-addr:value = '1.2.3.4'] are supported"
)
UNSUPPORTED_OBJECT = _("unsupported pattern object %(path)s")

TLP_MARKING_IDS: dict[str, str] = {
    TLP.CLEAR: "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    TLP.GREEN: "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    TLP.AMBER: "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    TLP.AMBER_STRICT: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    TLP.RED: "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
# OpenCTI (pycti ``MarkingDefinition.generate_id``) marks CLEAR, GREEN, AMBER and RED with the
# TLP 1.0 ids stix2 predefines, and AMBER+STRICT with an id of its own.
OPENCTI_AMBER_STRICT_ID = "marking-definition--826578e1-40ad-459f-bc73-ede076f81f37"
TLP_BY_MARKING: dict[str, str] = {v: k for k, v in TLP_MARKING_IDS.items()}
# TLP 1.0 markings predefined by stix2, mapped onto TLP 2.0 on import.
TLP_BY_MARKING.update(
    {
        stix2.TLP_WHITE.id: TLP.CLEAR,
        stix2.TLP_GREEN.id: TLP.GREEN,
        stix2.TLP_AMBER.id: TLP.AMBER,
        stix2.TLP_RED.id: TLP.RED,
        OPENCTI_AMBER_STRICT_ID: TLP.AMBER_STRICT,
    }
)
# An object whose only markings are ones we do not know may carry a restriction we cannot
# read: it gets TLP:RED, the most restrictive level (named people only, never the community).
UNKNOWN_MARKING_TLP = TLP.RED

# The OASIS TLP 2.0 marking-definition objects those ids name (extension examples).
TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
TLP2_NAMES: dict[str, str] = {
    TLP.CLEAR: "clear",
    TLP.GREEN: "green",
    TLP.AMBER: "amber",
    TLP.AMBER_STRICT: "amber+strict",
    TLP.RED: "red",
}
# Level names a marking definition may carry, TLP 1.0 (``white``) and TLP 2.0.
_TLP_BY_NAME = {name: tlp for tlp, name in TLP2_NAMES.items()} | {"white": TLP.CLEAR}
_PAP_BY_NAME = {p.lower(): p for p in PAP.values} | {"white": PAP.CLEAR}
PAP_RANK = {p: rank for rank, p in enumerate(PAP.values)}  # CLEAR < GREEN < AMBER < RED

# OpenCTI's PAP markings have ids of its own scheme (pycti ``MarkingDefinition.generate_id``):
# uuid5 of this namespace over the canonical JSON of {"definition": "PAP:<LEVEL>",
# "definition_type": "PAP"}. We read them; we write PAP markings as statements with UUIDv4
# ids of our own, because strict validation wants UUIDv4 for every non-SCO id (STIX 2.1,
# section 2.9: "UUIDv4 SHOULD be used").
OPENCTI_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
PAP_CREATED = "2026-12-01T00:00:00.000Z"


def _opencti_marking_id(definition_type: str, definition: str) -> str:
    data = canonicalize({"definition_type": definition_type, "definition": definition}, utf8=False)
    return f"marking-definition--{uuid.uuid5(OPENCTI_NAMESPACE, data)}"


OPENCTI_PAP_MARKING_IDS: dict[str, str] = {
    p: _opencti_marking_id("PAP", f"PAP:{p}") for p in PAP.values
}
PAP_MARKING_IDS: dict[str, str] = {
    PAP.CLEAR: "marking-definition--c7065761-850f-45e2-8ac4-d6fbf8be2151",
    PAP.GREEN: "marking-definition--1b0a4d95-a534-4291-8a4a-9d31a24081ad",
    PAP.AMBER: "marking-definition--f3ef17a7-45d2-4557-a209-7ea4e102aa2e",
    PAP.RED: "marking-definition--b749a46e-67a1-445e-9049-437c12f6924a",
}
PAP_BY_MARKING: dict[str, str] = {
    v: k for ids in (OPENCTI_PAP_MARKING_IDS, PAP_MARKING_IDS) for k, v in ids.items()
}


def tlp_marking(tlp: str) -> dict[str, Any]:
    """The OASIS TLP 2.0 marking-definition object (as in the extension's examples)."""
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": TLP_MARKING_IDS[tlp],
        "created": TLP2_CREATED,
        "name": f"TLP:{TLP2_NAMES[tlp].upper()}",
        "extensions": {
            TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": TLP2_NAMES[tlp]}
        },
    }


def tlp1_markings() -> list[dict[str, Any]]:
    """The TLP 1.0 marking-definition objects STIX 2.1 defines itself (§7.2.1.4), as stix2
    writes them: fixed by the standard, so anyone may serve them, and a client that marked
    with one (we read it as its TLP 2.0 level) or an object that still refers to one (in its
    granular markings) finds it in the collection."""
    return [
        json.loads(marking.serialize())
        for marking in (stix2.TLP_WHITE, stix2.TLP_GREEN, stix2.TLP_AMBER, stix2.TLP_RED)
    ]


def pap_marking(pap: str) -> dict[str, Any]:
    """The PAP marking definition: a STIX statement "PAP:<LEVEL>" with our id.

    OpenCTI's ids and ``x_opencti_definition*`` hints are read on import but not written:
    strict validation reports UUIDv5 ids and any top-level custom property.
    """
    return {
        "type": "marking-definition",
        "spec_version": "2.1",
        "id": PAP_MARKING_IDS[pap],
        "created": PAP_CREATED,
        "name": f"PAP:{pap}",
        "definition_type": "statement",
        "definition": {"statement": f"PAP:{pap}"},
    }


# --- which objects have versions ------------------------------------------------------------------

# Cyber observables (STIX 2.1 §6): no created, modified, created_by_ref nor versions.
OBSERVABLE_TYPES = frozenset(
    {
        "artifact",
        "autonomous-system",
        "directory",
        "domain-name",
        "email-addr",
        "email-message",
        "file",
        "ipv4-addr",
        "ipv6-addr",
        "mac-addr",
        "mutex",
        "network-traffic",
        "process",
        "software",
        "url",
        "user-account",
        "windows-registry-key",
        "x509-certificate",
    }
)
UNVERSIONED = frozenset({"marking-definition"})  # created, but never a newer version


def has_versions(obj: dict[str, Any]) -> bool:
    """Whether STIX 2.1 versions a (checked) object. Domain and relationship objects,
    language contents and extension definitions carry ``modified`` and may be ``revoked``;
    cyber observables and marking definitions have neither (STIX 2.1 §3.2, the common
    properties of each family), so a revoked version of one would not be STIX."""
    kind = obj.get("type")
    return kind not in OBSERVABLE_TYPES and kind not in UNVERSIONED and "modified" in obj


# --- our property extension ----------------------------------------------------------------------

# Our custom properties live in one published property extension (STIX 2.1, section 7.3): on
# an object they sit under ``extensions[CYBERCOOP_EXTENSION_ID]`` next to
# ``"extension_type": "property-extension"``; the definition names its JSON Schema, which
# ``interop`` serves at ``EXTENSION_SCHEMA_PATH``.
CYBERCOOP_EXTENSION_ID = "extension-definition--046074fb-df15-499b-8bfa-86dd44fba491"
PLATFORM_IDENTITY_ID = "identity--71682b4e-6a73-4663-9206-0e6b595fff26"
EXTENSION_CREATED = "2026-12-01T00:00:00.000Z"
EXTENSION_VERSION = "1.0"
EXTENSION_SCHEMA_PATH = "/api/v1/stix/extension-schema/"
PROPERTY_EXTENSION = "property-extension"
# Extension property → the top-level custom property partners sent before the extension.
LEGACY_PROPERTIES: dict[str, str] = {
    "indicator_type": "x_cybercoop_type",
    "pap": "x_cybercoop_pap",
    "handling_code": "x_cybercoop_handling_code",
    "owner": "x_cybercoop_owner",
    "last_seen": "x_cybercoop_last_seen",
    "pattern_only": "x_cybercoop_pattern_only",
    "agency": "x_cybercoop_agency",
}


def platform_identity() -> dict[str, Any]:
    """The CyberCoop platform itself: the creator of our extension definition."""
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": PLATFORM_IDENTITY_ID,
        "created": EXTENSION_CREATED,
        "modified": EXTENSION_CREATED,
        "name": "CyberCoop",
        "description": "The CyberCoop platform for sharing indicators among law enforcement "
        "agencies; it publishes the CyberCoop STIX extension.",
        "identity_class": "system",
    }


def extension_schema_url() -> str:
    """Where the extension's JSON Schema is served: ``PUBLIC_BASE_URL`` plus the path when
    that setting exists, else the path (the same on every deployment)."""
    base = str(getattr(settings, "PUBLIC_BASE_URL", "") or "").rstrip("/")
    return base + EXTENSION_SCHEMA_PATH


def extension_definition() -> dict[str, Any]:
    """The published ``extension-definition`` object of our property extension."""
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": CYBERCOOP_EXTENSION_ID,
        "created_by_ref": PLATFORM_IDENTITY_ID,
        "created": EXTENSION_CREATED,
        "modified": EXTENSION_CREATED,
        "name": "CyberCoop indicator handling",
        "description": "Properties CyberCoop adds to indicators and identities: the indicator "
        "type, PAP level, handling code, owning agency, last sighting and whether the "
        "indicator is kept pattern-only; on an identity, the agency code.",
        "schema": extension_schema_url(),
        "version": EXTENSION_VERSION,
        "extension_types": [PROPERTY_EXTENSION],
    }


def extension_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of the properties under ``extensions[CYBERCOOP_EXTENSION_ID]``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": extension_schema_url(),
        "title": "CyberCoop indicator handling",
        "description": f"Properties of the STIX 2.1 extension {CYBERCOOP_EXTENSION_ID}, "
        f"version {EXTENSION_VERSION}.",
        "type": "object",
        "properties": {
            "extension_type": {"const": PROPERTY_EXTENSION},
            "indicator_type": {"enum": list(T.values)},
            "pap": {"enum": list(PAP.values)},
            "handling_code": {"enum": list(HandlingCode.values)},
            "owner": {"type": "string", "description": "code of the owning agency"},
            "last_seen": {"type": "string", "format": "date-time"},
            "pattern_only": {"type": "boolean"},
            "agency": {"type": "string", "description": "code of the agency (identities)"},
        },
        "required": ["extension_type"],
        "additionalProperties": False,
    }


def extension_properties(obj: Any) -> dict[str, Any]:
    """Our properties of a STIX object, without ``extension_type``: from our extension, else
    from the legacy top-level ``x_cybercoop_*`` properties (partners still send those)."""
    if not isinstance(obj, dict):
        return {}
    found = {name: obj[legacy] for name, legacy in LEGACY_PROPERTIES.items() if legacy in obj}
    extensions = obj.get("extensions")
    ext = extensions.get(CYBERCOOP_EXTENSION_ID) if isinstance(extensions, dict) else None
    if isinstance(ext, dict):
        found.update({k: v for k, v in ext.items() if k != "extension_type"})
    return found


def with_extension(obj: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` with ``properties`` in our extension (merged with what is there) and
    no legacy top-level ``x_cybercoop_*`` properties."""
    ours = extension_properties(obj) | properties
    legacy = set(LEGACY_PROPERTIES.values())
    copy = {k: v for k, v in obj.items() if k not in legacy}
    extensions = copy.get("extensions")
    copy["extensions"] = {
        **(extensions if isinstance(extensions, dict) else {}),
        CYBERCOOP_EXTENSION_ID: {"extension_type": PROPERTY_EXTENSION, **ours},
    }
    return copy


def _level(value: Any, prefix: str, names: dict[str, str]) -> str | None:
    """``amber+strict``, ``TLP:AMBER+STRICT``, ``PAP:amber`` → our level; else ``None``.
    The whole name is matched, so AMBER+STRICT is never read as AMBER."""
    if not isinstance(value, str):
        return None
    text = value.strip().lower().replace(" ", "")
    return names.get(text.removeprefix(prefix + ":"))


def marking_levels(obj: dict[str, Any]) -> tuple[str | None, str | None]:
    """(TLP, PAP) a marking-definition object states by its content, whatever its id: TLP 1.0
    ``definition``, the TLP 2.0 extension, a "PAP:…" statement, or OpenCTI's
    ``x_opencti_definition_type`` with ``x_opencti_definition`` or ``name``."""
    definition_type = str(obj.get("definition_type", "")).lower()
    raw = obj.get("definition")
    definition: dict[str, Any] = raw if isinstance(raw, dict) else {}
    opencti_type = str(obj.get("x_opencti_definition_type", "")).lower()
    opencti_value = obj.get("x_opencti_definition") or obj.get("name")
    tlp = pap = None
    if definition_type == "tlp":
        tlp = _level(next(iter(definition.values()), None), "tlp", _TLP_BY_NAME)
    ext = (obj.get("extensions") or {}).get(TLP2_EXTENSION_ID)
    if isinstance(ext, dict):
        tlp = _level(ext.get("tlp_2_0"), "tlp", _TLP_BY_NAME) or tlp
    if opencti_type == "tlp":
        tlp = _level(opencti_value, "tlp", _TLP_BY_NAME) or tlp
    if definition_type == "statement":
        statement = definition.get("statement")
        if isinstance(statement, str) and statement.strip().upper().startswith("PAP:"):
            pap = _level(statement, "pap", _PAP_BY_NAME)
    if opencti_type == "pap" or definition_type == "pap":
        pap = _level(opencti_value, "pap", _PAP_BY_NAME) or pap
    return tlp, pap


Defined = dict[str, tuple[str | None, str | None]]  # marking id -> (TLP, PAP) by content


def bundle_markings(objects: Any) -> Defined:
    """TLP and PAP of the marking definitions in a bundle itself, read by their content."""
    found: Defined = {}
    for obj in objects if isinstance(objects, list) else []:
        if not isinstance(obj, dict) or obj.get("type") != "marking-definition":
            continue
        levels = marking_levels(obj)
        if levels != (None, None) and isinstance(obj.get("id"), str):
            found[obj["id"]] = levels
    return found


def markings_resolved(obj: Any, defined: Defined) -> Any:
    """A STIX object whose references to ``defined`` markings name our TLP / PAP ids instead,
    so it can be read without the bundle (other values and references are left as they are)."""
    refs = obj.get("object_marking_refs") if isinstance(obj, dict) else None
    if not defined or not isinstance(refs, list):
        return obj
    resolved: list[Any] = []
    for ref in refs:
        tlp, pap = defined.get(ref, (None, None)) if isinstance(ref, str) else (None, None)
        if ref in TLP_BY_MARKING or ref in PAP_BY_MARKING or (tlp, pap) == (None, None):
            resolved.append(ref)
            continue
        resolved += [TLP_MARKING_IDS[tlp]] if tlp else []
        resolved += [PAP_MARKING_IDS[pap]] if pap else []
    return {**obj, "object_marking_refs": resolved}


@dataclass
class Markings:
    """What an object's ``object_marking_refs`` say: the most restrictive TLP and PAP among
    the markings we know, and the ids of those we do not."""

    tlp: str | None = None
    pap: str | None = None
    unknown: list[str] = field(default_factory=list)


def markings_read(refs: Any, defined: Defined | None = None) -> Markings:
    """The markings of ``refs``: well-known ids (TLP 1.0, TLP 2.0, OpenCTI's, our PAP), then
    ``defined`` (id → (TLP, PAP) of marking definitions read by content, e.g. a bundle's).

    Several TLPs give the most restrictive; an unknown marking and no TLP give
    ``UNKNOWN_MARKING_TLP``.
    """
    found = Markings()
    tlps: list[str] = []
    paps: list[str] = []
    for ref in refs if isinstance(refs, list) else []:
        if ref in TLP_BY_MARKING:
            tlps.append(TLP_BY_MARKING[ref])
        elif ref in PAP_BY_MARKING:
            paps.append(PAP_BY_MARKING[ref])
        elif defined and ref in defined and defined[ref] != (None, None):
            tlp, pap = defined[ref]
            tlps += [tlp] if tlp else []
            paps += [pap] if pap else []
        else:
            found.unknown.append(str(ref))
    if tlps:
        found.tlp = max(tlps, key=TLP_RANK.__getitem__)
    elif found.unknown:
        found.tlp = UNKNOWN_MARKING_TLP
    if paps:
        found.pap = max(paps, key=PAP_RANK.__getitem__)
    return found


WALLET_OBJECT = "x-cybercoop-wallet"
_HASH_KEYS: dict[str, str] = {T.MD5: "MD5", T.SHA1: "'SHA-1'", T.SHA256: "'SHA-256'"}
_NAMESPACE = uuid.UUID("6b1c3c1e-7c2a-4e55-9b55-1f1c0c0f5e11")


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pattern_for(type_: str, normalized: str) -> str:
    """The STIX pattern that matches one normalised value."""
    if type_ == T.IPV4:
        return f"[ipv4-addr:value = {_quote(normalized)}]"
    if type_ == T.IPV6:
        return f"[ipv6-addr:value = {_quote(normalized)}]"
    if type_ == T.CIDR:
        kind = "ipv6-addr" if ":" in normalized else "ipv4-addr"
        return f"[{kind}:value = {_quote(normalized)}]"
    if type_ == T.DOMAIN:
        return f"[domain-name:value = {_quote(normalized)}]"
    if type_ == T.URL:
        return f"[url:value = {_quote(normalized)}]"
    if type_ == T.EMAIL:
        return f"[email-addr:value = {_quote(normalized)}]"
    if type_ in _HASH_KEYS:
        return f"[file:hashes.{_HASH_KEYS[type_]} = {_quote(normalized)}]"
    if type_ == T.ASN:
        return f"[autonomous-system:number = {int(normalized.removeprefix('AS'))}]"
    if type_ in (T.BTC, T.ETH):
        return f"[{WALLET_OBJECT}:value = {_quote(normalized)}]"
    raise ValueError(f"no STIX pattern for type {type_!r}")


_PATTERN = re.compile(
    r"^\[\s*(?P<object>[a-z0-9-]+):(?P<path>[A-Za-z0-9_.'-]+)\s*=\s*"
    r"(?:'(?P<string>(?:[^'\\]|\\.)*)'|(?P<number>\d+))\s*\]$"
)
_PATH_TYPES = {
    ("email-message", "from_ref.value"): T.EMAIL,
    ("email-message", "sender_ref.value"): T.EMAIL,
    ("x509-certificate", "hashes.MD5"): T.MD5,
    ("x509-certificate", "hashes.'MD5'"): T.MD5,
    ("x509-certificate", "hashes.'SHA-1'"): T.SHA1,
    ("x509-certificate", "hashes.SHA1"): T.SHA1,
    ("x509-certificate", "hashes.'SHA-256'"): T.SHA256,
    ("x509-certificate", "hashes.SHA256"): T.SHA256,
    ("ipv4-addr", "value"): T.IPV4,
    ("ipv6-addr", "value"): T.IPV6,
    ("domain-name", "value"): T.DOMAIN,
    ("url", "value"): T.URL,
    ("email-addr", "value"): T.EMAIL,
    ("file", "hashes.MD5"): T.MD5,
    ("file", "hashes.'MD5'"): T.MD5,
    ("file", "hashes.'SHA-1'"): T.SHA1,
    ("file", "hashes.SHA1"): T.SHA1,
    ("file", "hashes.'SHA-256'"): T.SHA256,
    ("file", "hashes.SHA256"): T.SHA256,
    ("autonomous-system", "number"): T.ASN,
}


# A network-traffic end's address: an IP address or network (its ``ipv4-addr`` or ``ipv6-addr``).
_ADDRESS_REFS = {("network-traffic", "dst_ref.value"), ("network-traffic", "src_ref.value")}


def _address_type(value: str) -> str:
    if "/" in value:
        return T.CIDR
    return T.IPV6 if ":" in value else T.IPV4


_ESCAPED = re.compile(r"\\(.)")


def parse_pattern(pattern: str, hint: Any = None) -> tuple[str, str]:
    """(type, value) of a single-comparison pattern; ValueError for anything else (its one
    argument why, translated when shown). ``hint``: the indicator type it was sent with (a
    wallet pattern's currency; any other value is no hint)."""
    return _parse_pattern(pattern, hint if isinstance(hint, str) else None)


@functools.lru_cache(maxsize=65536)  # an import checks each pattern, then its ingest reads it
def _parse_pattern(pattern: str, hint: str | None) -> tuple[str, str]:
    match = _PATTERN.match(pattern.strip())
    if not match:
        raise ValueError(SINGLE_COMPARISONS)
    value = match["string"]
    if value is None:
        value = match["number"]
    elif "\\" in value:  # most values have nothing to unescape: skip the substitution
        value = _ESCAPED.sub(r"\1", value)
    key = (match["object"], match["path"])
    if key[0] == WALLET_OBJECT and key[1] == "value":
        if hint in (T.BTC, T.ETH):
            return hint, value
        return (T.ETH if value.lower().startswith("0x") else T.BTC), value
    if key in _ADDRESS_REFS:
        return _address_type(value), value
    if key not in _PATH_TYPES:
        raise ValueError(reason(UNSUPPORTED_OBJECT, path=f"{key[0]}:{key[1]}"))
    type_ = _PATH_TYPES[key]
    if type_ in (T.IPV4, T.IPV6) and "/" in value:
        type_ = T.CIDR
    return type_, value


_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")


def literal_key(value: str, type_: str | None = None) -> str:
    """How a literal is stored and looked up: normalised as its type (given, else detected)
    when it is a valid one, else stripped and lower-cased."""
    type_ = type_ or detect_type(value)
    if type_:
        try:
            return normalize(type_, value)
        except InvalidValue:
            pass
    return value.strip().lower()


def pattern_literals(pattern: str) -> list[str]:
    """The literal values a (valid) STIX pattern compares against, as ``literal_key``s, so a
    pattern-only indicator can be found by any value it contains."""
    try:
        comparisons = StixPattern(pattern).inspect().comparisons
    except Exception:  # the pattern was validated before; an unparsable one has no literals
        return []
    found: dict[str, None] = {}
    for object_type, items in comparisons.items():
        for path, _operator, raw in items:
            dotted = ".".join(p if isinstance(p, str) else "*" for p in path)
            key = (object_type, dotted)
            type_ = _PATH_TYPES.get(key) or _PATH_TYPES.get((object_type, _quoted_path(path)))
            strings = [re.sub(r"\\(.)", r"\1", m) for m in _QUOTED.findall(str(raw))]
            for literal in strings or [str(raw)]:
                if literal.strip():
                    found[literal_key(literal, type_)] = None
    return list(found)


def _quoted_path(path: list[Any]) -> str:
    """``['hashes', 'SHA-256']`` → ``hashes.'SHA-256'``, as ``_PATH_TYPES`` spells it."""
    return ".".join(p if re.fullmatch(r"[a-z0-9_]+", str(p)) else f"'{p}'" for p in path)


class _GeneratedIndicator(stix2.v21.Indicator):
    """A stix2 Indicator whose pattern came from ``pattern_for`` over a normalised value.

    Those patterns are valid by construction (tests run every type through the STIX
    pattern validator), so the ANTLR parse — ~2.5 ms of ~3.3 ms per object — is skipped.
    Every other property is still checked by stix2.
    """

    def _check_object_constraints(self) -> None:
        super(stix2.v21.Indicator, self)._check_object_constraints()
        valid_from, valid_until = self.get("valid_from"), self.get("valid_until")
        if valid_from and valid_until and valid_until <= valid_from:
            raise ValueError(f"{self.id} 'valid_until' must be greater than 'valid_from'")


def indicator_object(indicator: Indicator, *, revoked: bool | None = None) -> stix2.v21.Indicator:
    """The STIX 2.1 indicator; ``revoked=True`` makes the tombstone (a newer ``modified``)."""
    is_revoked = indicator.revoked if revoked is None else revoked
    modified = indicator.modified
    if is_revoked and not indicator.revoked:
        modified = max(timezone.now(), indicator.modified)
    properties: dict[str, Any] = {
        "id": indicator.stix_id,
        "created": indicator.created,
        "modified": modified,
        "name": f"{indicator.type}: {indicator.normalized}"[:250],
        "pattern": pattern_for(indicator.type, indicator.normalized),
        "pattern_type": "stix",
        "valid_from": indicator.first_seen or indicator.created,
        "confidence": indicator.confidence,
        "revoked": is_revoked,
        "object_marking_refs": [TLP_MARKING_IDS[indicator.tlp], PAP_MARKING_IDS[indicator.pap]],
        "extensions": {CYBERCOOP_EXTENSION_ID: _indicator_extension(indicator)},
    }
    if indicator.description:
        properties["description"] = indicator.description
    if indicator.labels:
        properties["labels"] = list(indicator.labels)
    if indicator.valid_until and indicator.valid_until > properties["valid_from"]:
        properties["valid_until"] = indicator.valid_until
    return _GeneratedIndicator(**properties)


def _indicator_extension(indicator: Indicator) -> dict[str, Any]:
    """Our extension of an indicator (stix2 keeps an unregistered extension as given, so
    ``last_seen`` is written here in stix2's own timestamp format)."""
    ext: dict[str, Any] = {
        "extension_type": PROPERTY_EXTENSION,
        "indicator_type": indicator.type,
        "pap": indicator.pap,
        "handling_code": indicator.handling_code,
        "owner": indicator.owner.code if indicator.owner_id else "",
    }
    if indicator.last_seen:
        ext["last_seen"] = _stamp(indicator.last_seen, min_millis=False)
    return ext


def indicator_dict(indicator: Indicator, *, revoked: bool | None = None) -> dict[str, Any]:
    return json.loads(indicator_object(indicator, revoked=revoked).serialize())


@functools.lru_cache(maxsize=4096)  # an ingest shares a few timestamps among many indicators
def _stamp(value: datetime, *, min_millis: bool) -> str:
    """stix2's timestamp format: created/modified keep at least milliseconds, others any."""
    utc = value.astimezone(UTC)
    fraction = f"{utc.microsecond:06d}".rstrip("0")
    if min_millis:
        fraction = fraction.ljust(3, "0")
    return utc.strftime("%Y-%m-%dT%H:%M:%S") + (f".{fraction}" if fraction else "") + "Z"


def modified_stamp(value: datetime) -> str:
    """``modified`` as our STIX objects write it, so a TAXII version string equals it."""
    return _stamp(value, min_millis=True)


@functools.lru_cache(maxsize=4096)
def _parsed(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def stix_modified(indicator: Indicator, modified: datetime) -> str:
    """``modified`` as the partner wrote it (``Indicator.stix_modified``) while it still
    names this instant, else in stix2's format."""
    text = indicator.stix_modified
    if text and _parsed(text) == modified:
        return text
    return modified_stamp(modified)


def indicator_json(indicator: Indicator, *, revoked: bool | None = None) -> dict[str, Any]:
    """The same object as ``indicator_dict``, built without stix2 (≈40× faster).

    The delivery worker serialises each indicator once per version for many endpoints;
    tests assert this equals the stix2 serialisation for every type and optional field.
    """
    is_revoked = indicator.revoked if revoked is None else revoked
    modified = indicator.modified
    if is_revoked and not indicator.revoked:
        modified = max(timezone.now(), indicator.modified)
    valid_from = indicator.first_seen or indicator.created
    obj: dict[str, Any] = {
        "type": "indicator",
        "spec_version": "2.1",
        "id": indicator.stix_id,
        "created": _stamp(indicator.created, min_millis=True),
        "modified": stix_modified(indicator, modified),
        "name": f"{indicator.type}: {indicator.normalized}"[:250],
        "pattern": pattern_for(indicator.type, indicator.normalized),
        "pattern_type": "stix",
        "pattern_version": "2.1",
        "valid_from": _stamp(valid_from, min_millis=False),
        "confidence": indicator.confidence,
        "object_marking_refs": [TLP_MARKING_IDS[indicator.tlp], PAP_MARKING_IDS[indicator.pap]],
        "extensions": {CYBERCOOP_EXTENSION_ID: _indicator_extension(indicator)},
    }
    if is_revoked:
        obj["revoked"] = True
    if indicator.description:
        obj["description"] = indicator.description
    if indicator.labels:
        obj["labels"] = list(indicator.labels)
    if indicator.valid_until and indicator.valid_until > valid_from:
        obj["valid_until"] = _stamp(indicator.valid_until, min_millis=False)
    if indicator.stix_extra:
        _with_extra(obj, indicator.stix_extra)
    return obj


def _with_extra(obj: dict[str, Any], extra: dict[str, Any]) -> None:
    """The received object's own properties back in ``obj`` (its name, the pattern as written,
    other extensions beside ours, …), without the optional ones it came without."""
    for key, value in extra.items():
        if key == "extensions":
            obj["extensions"] = {**value, **obj["extensions"]}
        elif key not in MODELLED and key != ABSENT:  # never what the model decides (id, …)
            obj[key] = value
    for name in DEFAULTED.intersection(extra.get(ABSENT) or ()):
        obj.pop(name, None)


def derived_uuid4(namespace: uuid.UUID, name: str) -> uuid.UUID:
    """A fixed UUID for ``name``: uuid5 stamped as version 4, because strict validation wants
    UUIDv4 ids (its bits are a SHA-1 hash, as random as a v4's)."""
    return uuid.UUID(bytes=uuid.uuid5(namespace, name).bytes, version=4)


def bundle(objects: list[dict[str, Any]], *, seed: str | None = None) -> dict[str, Any]:
    """A STIX bundle; ``seed`` makes its id deterministic (e.g. the webhook id)."""
    bundle_id = derived_uuid4(_NAMESPACE, seed) if seed else uuid.uuid4()
    return {"type": "bundle", "id": f"bundle--{bundle_id}", "objects": objects}


def parse_id(stix_id: Any) -> uuid.UUID:
    """The UUID of ``indicator--<uuid>``; ``FieldError`` of ``id`` otherwise."""
    if not isinstance(stix_id, str) or not stix_id.startswith("indicator--"):
        raise FieldError("id", reason(ID_EXPECTED, form="indicator--<uuid>"))
    try:
        stix_uuid = uuid.UUID(stix_id[11:])
    except ValueError:
        raise FieldError("id", reason(ID_EXPECTED, form="indicator--<uuid>")) from None
    if stix_uuid.variant != uuid.RFC_4122:
        raise FieldError("id", reason(ID_NOT_RFC_4122))
    return stix_uuid


def default_description(type_: str) -> str:
    """The description an exported indicator without one carries (strict validation wants
    one); read back as no description."""
    return f"Indicator of type {type_}, shared through CyberCoop."


def with_stand_ins(obj: dict[str, Any], type_: str) -> dict[str, Any]:
    """An indicator as it leaves CyberCoop (export, TAXII, webhook pushes): ``labels`` fall
    back to its type and ``description`` to ``default_description``, so it passes strict
    validation."""
    obj.setdefault("labels", [type_])
    obj.setdefault("description", default_description(type_))
    return obj


# A STIX indicator's properties the Indicator model holds (or replaces: markings, our
# extension); the others are kept as they came (``Indicator.stix_extra``) and served back.
MODELLED = frozenset(
    {
        "type",
        "spec_version",
        "id",
        "created",
        "modified",
        "pattern_type",
        "valid_from",
        "valid_until",
        "confidence",
        "revoked",
        "labels",
        "description",
        "object_marking_refs",
        *LEGACY_PROPERTIES.values(),
    }
)


# Optional properties our indicators carry (the model's confidence, which defaults to 50, and
# the pattern's version): a received indicator that came without one is served without it,
# as ``stix_extra`` records under ``ABSENT`` (no STIX property begins with "_").
DEFAULTED = frozenset({"confidence", "pattern_version"})
ABSENT = "_absent"


def stix_extra(obj: dict[str, Any]) -> dict[str, Any] | None:
    """What ``Indicator.stix_extra`` keeps of a received indicator (``None``: nothing): the
    properties the model does not hold, and which of ``DEFAULTED`` it came without."""
    extra = {k: v for k, v in obj.items() if k not in MODELLED and k != ABSENT}
    extensions = extra.pop("extensions", None)
    if isinstance(extensions, dict):
        others = {k: v for k, v in extensions.items() if k != CYBERCOOP_EXTENSION_ID}
        if others:
            extra["extensions"] = others
    absent = sorted(name for name in DEFAULTED if name not in obj)
    if absent:
        extra[ABSENT] = absent
    return extra or None


def fields_from_stix(obj: dict[str, Any]) -> dict[str, Any]:
    """Indicator fields from a STIX indicator dict (values not yet normalised).

    Raises ``FieldError`` for anything that cannot be mapped.
    """
    stix_uuid = parse_id(obj.get("id", ""))
    pattern = obj.get("pattern")
    if obj.get("pattern_type", "stix") != "stix" or not isinstance(pattern, str):
        raise FieldError("pattern", reason(STIX_PATTERN_REQUIRED))
    ours = extension_properties(obj)
    try:
        type_, value = parse_pattern(pattern, ours.get("indicator_type"))
    except ValueError as exc:
        raise FieldError("pattern", exc.args[0]) from None
    fields: dict[str, Any] = {"stix_uuid": stix_uuid, "type": type_, "value": value}
    if isinstance(obj.get("modified"), str):
        fields["stix_modified"] = obj["modified"]
    fields["stix_extra"] = stix_extra(obj)
    for stix_name, name in (
        ("created", "created"),
        ("modified", "modified"),
        ("valid_from", "first_seen"),
        ("valid_until", "valid_until"),
        ("confidence", "confidence"),
        ("description", "description"),
        ("labels", "labels"),
        ("revoked", "revoked"),
    ):
        if stix_name in obj:
            fields[name] = obj[stix_name]
    for name in ("last_seen", "pap", "handling_code"):
        if name in ours:
            fields[name] = ours[name]
    if fields.get("description") == default_description(type_):
        del fields["description"]  # our export's stand-in for no description
    markings = markings_read(obj.get("object_marking_refs"))
    if markings.tlp:
        fields["tlp"] = markings.tlp
    if markings.pap:  # a PAP marking and our stated pap: the more restrictive
        stated = str(fields.get("pap", "")).upper()
        fields["pap"] = max(markings.pap, stated, key=lambda p: PAP_RANK.get(p, -1))
    return fields
