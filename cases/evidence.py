"""Writes for evidence: intake (one streaming pass: hash and size on the way) and custody.

Every touch of a piece of evidence (collection, download, verification, check-out, transfer,
disposal) is a custody event as well as an audit event.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from agencies.models import TLP, Agency, HandlingCode
from audit.models import AuditEvent
from audit.services import audit_log
from cases.checks import (
    check_handling,
    check_named_users,
    full_clean,
    require_in_circle,
    require_member,
)
from cases.files import hash_stored, store_streaming, upload_name
from cases.models import Case, CustodyEvent, Evidence, evidence_upload_to
from cases.permissions import circle_agency_ids, sync_evidence_permissions
from cases.services import Edit, apply_edit

DISPOSED = gettext_noop("This evidence has been disposed of.")
PURPOSE_REQUIRED = gettext_noop("State the purpose.")
PURPOSE_TOO_LONG = gettext_noop("State the purpose in at most {limit} characters.")
PURPOSE_MAX = 300
ALREADY_CHECKED_OUT = gettext_noop("Already checked out by {user}.")
NOT_CHECKED_OUT = gettext_noop("This evidence is not checked out.")
CHOOSE_RECIPIENT = gettext_noop("Choose the agency that receives it.")
RECIPIENT_OUTSIDE = gettext_noop("{agency} does not take part in this case.")
UNKNOWN_CUSTODY_KIND = gettext_noop("Choose checked_out, checked_in, transferred or disposed.")


def _custody(
    evidence: Evidence, kind: str, actor: Any, agency: Agency | None, **extra: Any
) -> CustodyEvent:
    return CustodyEvent.objects.create(
        evidence=evidence, kind=kind, actor=actor, agency=agency, **extra
    )


def _recorded(custody: CustodyEvent, event: AuditEvent) -> None:
    """Tie the custody event to its audit event (its leaf in the log, for receipts). After
    ``audit_log``, which comes last: the row is ours already, the update waits on no one."""
    custody.audit_event = event
    custody.save(update_fields=["audit_event"])


@transaction.atomic
def evidence_add(
    *,
    actor: Any,
    case: Case,
    agency: Agency,
    file: Any,
    title: str,
    collected_by: str,
    collected_at: dt.datetime,
    collected_where: str,
    description: str = "",
    tlp: str = TLP.AMBER,
    handling_code: str = HandlingCode.H0,
    handling_text: str = "",
    named_users: Iterable[Any] = (),
) -> Evidence:
    """Store the upload in one streaming pass (hash and size on the way) and open its custody."""
    require_member(actor, agency)
    check_handling(handling_code, handling_text)
    circle = require_in_circle(case, agency)
    original_name = upload_name(file, "evidence.bin")
    evidence = Evidence(
        case=case,
        agency=agency,
        custodian=agency,
        title=title,
        description=description,
        original_name=original_name,
        content_type=(getattr(file, "content_type", "") or "")[:100],
        collected_by=collected_by,
        collected_at=collected_at,
        collected_where=collected_where,
        tlp=tlp,
        handling_code=handling_code,
        handling_text=handling_text,
        uploaded_by=actor,
        size=0,
        sha256="0" * 64,
    )
    full_clean(evidence, exclude=["file"])
    named = check_named_users(named_users, circle)
    evidence.file.name, evidence.size, evidence.sha256 = store_streaming(
        file, evidence_upload_to(evidence, original_name)
    )
    try:
        _record_intake(evidence, actor=actor, named=named, circle=circle)
    except BaseException:
        # The row rolls back with the transaction; the stored bytes must go too.
        evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


def _record_intake(evidence: Evidence, *, actor: Any, named: list[Any], circle: set[int]) -> None:
    """Save the stored evidence, name its users, open its custody, grant access, audit.

    Locks in the order every case write takes them: the case row first (a case PATCH holds it
    while it re-grants the case's evidence), then the new rows, then the audit log."""
    Case.objects.select_for_update(no_key=True).only("pk").get(pk=evidence.case_id)
    evidence.save()
    if evidence.tlp == TLP.RED and actor not in named:
        named.append(actor)
    evidence.named_users.set(named)
    collected = _custody(
        evidence,
        CustodyEvent.Kind.COLLECTED,
        actor,
        evidence.agency,
        sha256=evidence.sha256,
        purpose=f"Collected by {evidence.collected_by} at {evidence.collected_where}",
    )
    sync_evidence_permissions(evidence, circle=circle)
    registered = audit_log(
        actor=actor,
        action="evidence.added",
        obj=evidence,
        agency=evidence.agency,
        summary={
            "case": evidence.case.reference,
            "title": evidence.title,
            "sha256": evidence.sha256,
            "size": evidence.size,
            "tlp": evidence.tlp,
        },
    )
    _recorded(collected, registered)


@transaction.atomic
def evidence_receive(
    *,
    actor: Any,
    case: Case,
    agency: Agency,
    from_agency: Agency,
    stored_name: str,
    size: int,
    sha256: str,
    original_name: str,
    title: str,
    description: str = "",
    content_type: str = "",
    tlp: str = TLP.AMBER_STRICT,
    handling_code: str = HandlingCode.H0,
) -> Evidence:
    """Evidence another agency produced for ``agency`` (e.g. a service provider answering an
    assistance request): the caller stored and hashed the file; custody opens with its
    collection by ``from_agency`` and its receipt by ``agency``."""
    circle = require_in_circle(case, agency)
    now = timezone.now()
    evidence = Evidence(
        case=case,
        agency=agency,
        custodian=agency,
        title=title[:200],
        description=description,
        original_name=original_name[:200],
        content_type=content_type[:100],
        collected_by=f"{from_agency.code} ({from_agency.name})"[:200],
        collected_at=now,
        collected_where=f"{from_agency.name}, {from_agency.country.code}"[:300],
        tlp=tlp,
        handling_code=handling_code,
        uploaded_by=actor,
        size=size,
        sha256=sha256,
    )
    evidence.file.name = stored_name
    full_clean(evidence)
    Case.objects.select_for_update(no_key=True).only("pk").get(pk=case.pk)
    evidence.save()
    collected = _custody(
        evidence,
        CustodyEvent.Kind.COLLECTED,
        actor,
        from_agency,
        sha256=sha256,
        purpose=f"Collected by the provider {from_agency.code} ({from_agency.name})",
    )
    received = _custody(
        evidence,
        CustodyEvent.Kind.TRANSFERRED,
        actor,
        from_agency,
        to_agency=agency,
        sha256=sha256,
        purpose=f"Received by the requesting agency {agency.code}",
    )
    sync_evidence_permissions(evidence, circle=circle)
    summary = {"case": case.reference, "title": evidence.title, "sha256": sha256, "size": size}
    _recorded(
        collected,
        audit_log(
            actor=actor,
            action="evidence.added",
            obj=evidence,
            agency=from_agency,
            summary={**summary, "collected_by": from_agency.code},
        ),
    )
    _recorded(
        received,
        audit_log(
            actor=actor,
            action="evidence.transferred",
            obj=evidence,
            agency=from_agency,
            summary={"to_agency": agency.code, "purpose": received.purpose},
        ),
    )
    return evidence


EVIDENCE_EDIT: Edit[Evidence] = Edit(
    action="evidence.updated",
    editable=frozenset({"title", "description", "tlp", "handling_code", "handling_text"}),
    check=lambda evidence: check_handling(evidence.handling_code, evidence.handling_text),
    sync=sync_evidence_permissions,
)


@transaction.atomic
def evidence_update(
    *, actor: Any, evidence: Evidence, agency: Agency | None = None, **fields: Any
) -> Evidence:
    """Describe the evidence again; its file, hash and collection record never change."""
    return apply_edit(
        EVIDENCE_EDIT, evidence, actor=actor, agency=agency or evidence.agency, fields=fields
    )


@transaction.atomic
def evidence_record_download(
    *, actor: Any, evidence: Evidence, agency: Agency | None
) -> CustodyEvent:
    if evidence.disposed_at:
        raise ValidationError(_(DISPOSED))
    event = _custody(evidence, CustodyEvent.Kind.DOWNLOADED, actor, agency, sha256=evidence.sha256)
    logged = audit_log(
        actor=actor,
        action="evidence.downloaded",
        obj=evidence,
        agency=agency,
        summary={"sha256": evidence.sha256},
    )
    _recorded(event, logged)
    return event


@transaction.atomic
def evidence_verify(*, actor: Any, evidence: Evidence, agency: Agency | None) -> CustodyEvent:
    """Re-hash the stored file; record match or mismatch."""
    if evidence.disposed_at:
        raise ValidationError(_(DISPOSED))
    try:
        size, digest = hash_stored(evidence.file)
    except FileNotFoundError:
        size, digest = -1, ""
    result = CustodyEvent.Result.MATCH
    if digest != evidence.sha256 or size != evidence.size:
        result = CustodyEvent.Result.MISMATCH
    event = _custody(
        evidence, CustodyEvent.Kind.VERIFIED, actor, agency, sha256=digest, result=result
    )
    logged = audit_log(
        actor=actor,
        action="evidence.verified",
        obj=evidence,
        agency=agency,
        summary={"result": result, "sha256": digest, "expected": evidence.sha256},
    )
    _recorded(event, logged)
    return event


@transaction.atomic
def evidence_custody(
    *,
    actor: Any,
    evidence: Evidence,
    agency: Agency | None,
    kind: str,
    purpose: str = "",
    to_agency: Agency | None = None,
) -> CustodyEvent:
    """Check out / check in (with purpose), transfer (to an agency in the case) or dispose."""
    evidence = Evidence.objects.select_for_update().select_related("case").get(pk=evidence.pk)
    if evidence.disposed_at:
        raise ValidationError(_(DISPOSED))
    kinds = CustodyEvent.Kind
    fields: list[str] = []
    if kind in (kinds.CHECKED_OUT, kinds.CHECKED_IN) and not purpose.strip():
        raise ValidationError({"purpose": _(PURPOSE_REQUIRED)})
    if len(purpose) > PURPOSE_MAX:
        raise ValidationError({"purpose": _(PURPOSE_TOO_LONG).format(limit=PURPOSE_MAX)})
    if kind == kinds.CHECKED_OUT:
        if evidence.checked_out_by_id:
            raise ValidationError(_(ALREADY_CHECKED_OUT).format(user=evidence.checked_out_by))
        evidence.checked_out_by = actor
        fields = ["checked_out_by"]
    elif kind == kinds.CHECKED_IN:
        if not evidence.checked_out_by_id:
            raise ValidationError(_(NOT_CHECKED_OUT))
        evidence.checked_out_by = None
        fields = ["checked_out_by"]
    elif kind == kinds.TRANSFERRED:
        if to_agency is None:
            raise ValidationError({"to_agency": _(CHOOSE_RECIPIENT)})
        if to_agency.pk not in circle_agency_ids(evidence.case):
            raise ValidationError({"to_agency": _(RECIPIENT_OUTSIDE).format(agency=to_agency.code)})
        evidence.custodian = to_agency
        fields = ["custodian"]
    elif kind == kinds.DISPOSED:
        evidence.disposed_at = timezone.now()
        fields = ["disposed_at"]
    else:
        raise ValidationError({"kind": _(UNKNOWN_CUSTODY_KIND)})
    evidence.save(update_fields=fields)
    event = _custody(evidence, kind, actor, agency, purpose=purpose, to_agency=to_agency)
    logged = audit_log(
        actor=actor,
        action=f"evidence.{kind}",
        obj=evidence,
        agency=agency,
        summary={"purpose": purpose, "to_agency": getattr(to_agency, "code", None)},
    )
    _recorded(event, logged)
    return event
