"""Demo: the audit log as partners see it. After every app has seeded, sign a checkpoint and
have NL-NHTCU's demo witness cosign it, so the transparency page and the evidence pages show
"witnessed by" and a receipt carries a cosignature. The witness key is written beside the
log's signing key (never over one), so the tour can run ``manage.py witness`` with it."""

from __future__ import annotations

import time
from typing import Any

from agencies.models import Agency, Membership, Witness
from agencies.witnesses import cosignature_record, witness_register
from audit import checkpoints
from tools import witness as witness_tool
from tools.verify_log import parse_note

WITNESS_AGENCY = "NL-NHTCU"
WITNESS_NAME = "witness.nhtcu.example/demo"


def seed(stdout: Any) -> None:
    if not checkpoints.key_path().exists():
        stdout.write("Transparency: no signing key, no checkpoint (run transparency_keygen).")
        return
    agency = Agency.objects.get(code=WITNESS_AGENCY)
    key_file = checkpoints.key_path().with_name("demo-witness-nhtcu.key")
    if not key_file.exists():
        witness_tool.generate_key(key_file, WITNESS_NAME)
    name, key = witness_tool.load_key(key_file)
    verifier = witness_tool.cosigner_verifier(name, key)
    if not Witness.objects.filter(verifier_key=str(verifier)).exists():
        witness_register(actor=None, agency=agency, verifier_key=str(verifier))
    try:
        signed = checkpoints.checkpoint_sign()
    except checkpoints.CheckpointRefused as refusal:
        stdout.write(
            f"Transparency: {refusal} (the last signed checkpoint, {checkpoints.state_path()}, "
            "is of another database: in the demo only, delete it and seed again)."
        )
        return
    admin = Membership.objects.get(
        agency=agency, role=Membership.Role.AGENCY_ADMIN, user__username="nhtcu.admin"
    )
    note = signed.note + witness_tool.cosign(
        parse_note(signed.note).text, name, key, int(time.time())
    )
    cosignature_record(actor=admin.user, note=note)
    stdout.write(
        f"Transparency: checkpoint of {signed.tree_size} entries signed and witnessed by "
        f"{WITNESS_AGENCY} (/transparency/). Its witness key is {key_file}: with an API key of "
        f"{WITNESS_AGENCY} that has the witness scope, run `manage.py witness --url "
        f"http://127.0.0.1:8000 --verifier-key '{checkpoints.verifier()}' --key-file {key_file} "
        "--state /tmp/nhtcu-witness.state --api-key KEY`."
    )
