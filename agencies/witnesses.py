"""Writes for witnesses: an agency registers its cosigner keys and retires them; the
cosignatures its witnesses post of the log's signed checkpoints are verified and stored."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agencies.models import Agency, Cosignature, Witness
from agencies.selectors import agencies_of
from audit.models import SignedCheckpoint
from audit.services import audit_log
from tools.verify_log import (
    COSIGNATURE_V1,
    EM_DASH,
    Note,
    Signature,
    VerificationError,
    Verifier,
    parse_checkpoint,
    parse_note,
    verify_cosignature,
)

NOT_A_KEY = gettext_noop(
    "Not a witness verifier key <name>+<hex key id>+<base64 key> ({reason}): paste the line "
    "the witness printed."
)
LOG_KEY = gettext_noop(
    "This is a log's signing key (type 0x01), not a witness's cosigner key (type 0x04): "
    "paste the key the witness printed (manage.py witness --generate-key)."
)
KEY_TOO_LONG = gettext_noop(
    "A verifier key is at most {max} characters, its name at most {name_max}."
)
ALREADY_REGISTERED = gettext_noop(
    "This witness key is already registered (a retired key is not reused)."
)
NOT_OUR_CHECKPOINT = gettext_noop("Not a checkpoint this log signed.")
NOT_A_NOTE = gettext_noop("Not a signed note: {reason}.")
UNKNOWN_WITNESS = gettext_noop(
    "No signature line is from an active witness of your agency (unknown witness): "
    "register the witness's key first."
)
INVALID_COSIGNATURE = "The cosignature of {name} is invalid: {reason}."
FUTURE_COSIGNATURE = "The cosignature of {name} is dated {seconds} s in the future."
FUTURE_LEEWAY = 300  # seconds a witness's clock may run ahead of ours


# --- witnesses ---------------------------------------------------------------------------------


def _cosigner_key(text: str) -> Verifier:
    try:
        verifier = Verifier.parse(text)
    except VerificationError as exc:
        reason = "not three such parts" if str(exc).startswith("not a verifier key") else exc
        raise ValidationError({"verifier_key": _(NOT_A_KEY).format(reason=reason)}) from None
    if verifier.type != COSIGNATURE_V1:
        raise ValidationError({"verifier_key": _(LOG_KEY)})
    name_max = Witness._meta.get_field("name").max_length or 0
    key_max = Witness._meta.get_field("verifier_key").max_length or 0
    if len(verifier.name) > name_max or len(str(verifier)) > key_max:
        raise ValidationError(
            {"verifier_key": _(KEY_TOO_LONG).format(max=key_max, name_max=name_max)}
        )
    return verifier


@transaction.atomic
def witness_register(*, actor: Any, agency: Agency, verifier_key: str) -> Witness:
    """Register a witness of ``agency`` by its cosigner verifier key (type 0x04)."""
    verifier = _cosigner_key(verifier_key)
    if Witness.objects.filter(verifier_key=str(verifier)).exists():
        raise ValidationError({"verifier_key": _(ALREADY_REGISTERED)})
    witness = Witness(
        agency=agency, name=verifier.name, verifier_key=str(verifier), created_by=actor
    )
    witness.full_clean()
    witness.save()
    audit_log(
        actor=actor,
        action="witness.registered",
        obj=witness,
        agency=agency,
        summary={"name": witness.name, "verifier_key": witness.verifier_key},
    )
    return witness


@transaction.atomic
def witness_retire(*, actor: Any, witness: Witness) -> Witness:
    """The witness's later cosignatures are refused; those it made stay."""
    witness = Witness.objects.select_for_update().get(pk=witness.pk)
    if witness.active:
        witness.active = False
        witness.save(update_fields=["active"])
        audit_log(
            actor=actor,
            action="witness.retired",
            obj=witness,
            agency=witness.agency,
            summary={"name": witness.name, "verifier_key": witness.verifier_key},
        )
    return witness


# --- cosignatures ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Cosigned:
    checkpoint: SignedCheckpoint
    witnesses: list[Witness]  # whose cosignature the checkpoint now carries from this post
    created: bool  # at least one of them is new


def _parse(note: str) -> Note:
    try:
        parsed = parse_note(note)
        parse_checkpoint(parsed.text)
    except VerificationError as exc:
        raise ValidationError({"note": _(NOT_A_NOTE).format(reason=exc)}) from None
    return parsed


def _signed_checkpoint(text: str) -> SignedCheckpoint:
    """The checkpoint this log signed whose note text is ``text`` (locked), else 400."""
    size = parse_checkpoint(text).size
    if size >= 1 << 63:  # beyond the column: no checkpoint of ours
        raise ValidationError({"note": _(NOT_OUR_CHECKPOINT)})
    found = SignedCheckpoint.objects.select_for_update().filter(tree_size=size).first()
    if found is None or parse_note(found.note).text != text:
        raise ValidationError({"note": _(NOT_OUR_CHECKPOINT)})
    return found


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()


def _active_witnesses(*, actor: Any, agency: Agency | None) -> dict[tuple[str, bytes], Witness]:
    """Active witnesses of the actor's agencies (only ``agency``'s, acting with its key), by
    (name, key id) as signature lines name them; locked in id order."""
    agencies = agencies_of(user=actor)
    if agency is not None:
        agencies = agencies.filter(pk=agency.pk)
    found = {}
    rows = Witness.objects.select_for_update().filter(agency__in=agencies, active=True)
    for witness in rows.select_related("agency").order_by("pk"):
        found[(witness.name, Verifier.parse(witness.verifier_key).key_id)] = witness
    return found


@transaction.atomic
def cosignature_record(*, actor: Any, note: str, agency: Agency | None = None) -> Cosigned:
    """Store the cosignatures a witness posts: ``note`` is the log's checkpoint note with the
    witness's signature line(s) appended. Each line of an active witness of an agency the
    actor belongs to (only ``agency``, acting with its key) must verify; lines of anyone else
    are ignored; none at all is a 400. Posting again is not an error and stores nothing new.
    Locks the checkpoint, then the witnesses in id order."""
    parsed = _parse(note)
    checkpoint = _signed_checkpoint(parsed.text)
    witnesses = _active_witnesses(actor=actor, agency=agency)
    signing: dict[int, tuple[Witness, Signature]] = {}
    for signature in parsed.signatures:
        witness = witnesses.get((signature.name, signature.key_id))
        if witness is not None:
            signing.setdefault(witness.pk, (witness, signature))  # the first line counts
    if not signing:
        raise ValidationError({"note": _(UNKNOWN_WITNESS)})
    stored = set(
        Cosignature.objects.filter(checkpoint=checkpoint).values_list("witness_id", flat=True)
    )
    now = int(timezone.now().timestamp())
    new = []
    for witness, signature in signing.values():
        try:
            _line, timestamp = verify_cosignature(note, Verifier.parse(witness.verifier_key))
        except VerificationError as exc:
            message = INVALID_COSIGNATURE.format(name=witness.name, reason=exc)
            raise ValidationError({"note": message}) from None
        if timestamp - now > FUTURE_LEEWAY:
            message = FUTURE_COSIGNATURE.format(name=witness.name, seconds=timestamp - now)
            raise ValidationError({"note": message})
        if witness.pk not in stored:
            line = f"{EM_DASH} {signature.name} {_b64(signature.key_id + signature.signature)}\n"
            new.append(
                Cosignature(checkpoint=checkpoint, witness=witness, timestamp=timestamp, line=line)
            )
    # Not an audit event: each would grow the log, so the next checkpoint, so the next
    # cosignature, for ever. The cosignature is its own signed, verifiable record.
    Cosignature.objects.bulk_create(new)
    return Cosigned(checkpoint, [w for w, _ in signing.values()], bool(new))
