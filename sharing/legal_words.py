"""How a share's recipients and their legal bases read: written from their codes, in the
reader's language. A share stores them for the record as they read in English when it was made,
beside the codes, so that the record never changes meaning and each reader still reads it in
their own language."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from agencies.legal import Recipient
from agencies.models import SharingAgreement
from cases.models import JointInvestigationTeam

# The language of the words a share stores for the record (those of shares made before the
# codes were stored too).
RECORD_LANGUAGE = "en-gb"

LABELS: dict[str, Promise] = {
    "jurisdiction": _("jurisdiction %(name)s"),
    "jit": _("JIT %(name)s"),
    "community": _("community"),
    "user": _("user %(name)s"),
}
TERMS: dict[str, Promise] = {
    "same_jurisdiction": _("same jurisdiction (%(country)s)"),
    "agreement": _("%(name)s (%(basis)s)"),
    "agreement_with_reference": _("%(name)s (%(basis)s), %(reference)s"),
    "jit_agreement": _("JIT agreement: %(basis)s"),
    "community": _("the sharing agreements each member holds with the owner"),
}
# The choices whose label a basis names by its code.
BASIS_CHOICES: dict[str, type[models.TextChoices]] = {
    "agreement": SharingAgreement.Basis,
    "jit_agreement": JointInvestigationTeam.LegalBasis,
}


def label(kind: str, name: str) -> str:
    """A recipient in words ("jurisdiction EU"); an agency by its code."""
    return str(LABELS[kind] % {"name": name}) if kind in LABELS else name


def basis(terms: dict[str, str]) -> str:
    """A basis in words, each choice by its label in the reader's language."""
    kind = terms["kind"]
    params = dict(terms)
    if kind in BASIS_CHOICES:
        code = terms["basis"]
        choices = BASIS_CHOICES[kind]
        params["basis"] = str(choices(code).label) if code in choices.values else code
    if kind == "agreement" and terms.get("reference"):
        kind = "agreement_with_reference"
    return str(TERMS[kind] % params)


def words(kind: str, name: str, terms: dict[str, str]) -> dict[str, str]:
    """A recipient and its basis in the reader's words."""
    return {"recipient": label(kind, name), "basis": basis(terms)}


def record(recipient: Recipient) -> dict[str, Any]:
    """What a share stores of one recipient: its words in ``RECORD_LANGUAGE`` and its codes."""
    kind, name, terms = recipient.kind, recipient.name, recipient.terms
    with translation.override(RECORD_LANGUAGE):
        stored = words(kind, name, terms)
    return {
        **stored,
        "agreement": recipient.agreement_id,
        "kind": kind,
        "name": name,
        "terms": terms,
    }


def shown(entry: dict[str, Any]) -> dict[str, str]:
    """A stored recipient in the reader's words; one stored before its codes, as stored."""
    if "kind" not in entry:
        return {"recipient": entry.get("recipient", ""), "basis": entry.get("basis", "")}
    return words(entry["kind"], entry["name"], entry["terms"])
