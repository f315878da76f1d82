"""The transparency log over HTTP: the signed checkpoint as text, proofs and leaf hashes as
JSON, the same for every authenticated agency (they reveal no content), 401 anonymous, 400
naming a bad parameter; and the beat task that signs when the log grew."""

from __future__ import annotations

import base64
import logging

import pytest
from rest_framework.test import APIClient

from audit import checkpoints, log
from audit.api import NO_CHECKPOINT
from audit.models import LogNode, SignedCheckpoint
from audit.services import audit_log
from audit.tasks import sign_checkpoint
from tests.audit.test_checkpoints import rebuild_parents
from tools.verify_log import (
    verify_checkpoint,
    verify_consistency,
    verify_inclusion,
)


def b64(values: list[str]) -> list[bytes]:
    return [base64.b64decode(v) for v in values]


@pytest.mark.parametrize("side", ["owner", "partner", "outsider"])
def test_every_agency_checks_the_log_from_the_api_alone(world, log_key, api_client_for, side):
    sign_checkpoint()
    client = api_client_for(getattr(world, side).analyst, getattr(world, side).agency)
    response = client.get("/api/v1/transparency/checkpoint")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    checkpoint = verify_checkpoint(response.content.decode(), log_key)
    leaves = b64(
        client.get(f"/api/v1/transparency/entries?start=0&end={checkpoint.size}").json()[
            "leaf_hashes"
        ]
    )
    assert len(leaves) == checkpoint.size
    index = checkpoint.size // 2
    proof = client.get(
        f"/api/v1/transparency/proof/inclusion?index={index}&tree_size={checkpoint.size}"
    ).json()
    verify_inclusion(leaves[index], index, checkpoint.size, b64(proof["hashes"]), checkpoint.root)
    first = max(1, checkpoint.size - 5)
    consistency = client.get(
        f"/api/v1/transparency/proof/consistency?first={first}&second={checkpoint.size}"
    ).json()
    verify_consistency(
        first, checkpoint.size, log.root(first), checkpoint.root, b64(consistency["hashes"])
    )


def test_anonymous_callers_get_401(db):
    for url in ["checkpoint", "entries?start=0&end=1", "proof/inclusion?index=0&tree_size=1"]:
        assert APIClient().get(f"/api/v1/transparency/{url}").status_code == 401


@pytest.mark.parametrize(
    "url, field",
    [
        ("proof/inclusion?index=x&tree_size=1", "index"),
        ("proof/inclusion?index=0&tree_size=999999", "tree_size"),
        ("proof/inclusion?index=5&tree_size=3", "index"),
        ("proof/consistency?first=4&second=2", "first"),
        ("entries?start=0&end=99999", "end"),
        ("entries?end=1", "start"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(world, api_client_for, url, field):
    client = api_client_for(world.owner.analyst, world.owner.agency)
    response = client.get(f"/api/v1/transparency/{url}")
    assert response.status_code == 400
    assert list(response.json()) == [field]


def test_no_checkpoint_yet_is_a_404_that_says_so(world, api_client_for):
    client = api_client_for(world.owner.analyst, world.owner.agency)
    response = client.get("/api/v1/transparency/checkpoint")
    assert response.status_code == 404 and response.json() == {"detail": NO_CHECKPOINT}


def test_the_beat_task_signs_only_when_the_log_grew_and_cries_out_on_a_rewrite(
    world, log_key, caplog
):
    size = sign_checkpoint()
    assert size == log.tree_size()
    assert sign_checkpoint() is None  # nothing new
    assert SignedCheckpoint.objects.count() == 1
    LogNode.objects.filter(level=0, index=0).update(hash=bytes(32))
    rebuild_parents()
    audit_log(actor=None, action="test.after", object_type="t", object_id="1")
    with caplog.at_level(logging.CRITICAL, logger="audit.tasks"):
        assert sign_checkpoint() is None
    assert "Refusing to sign" in caplog.text
    assert checkpoints.last_signed().size == size


def test_without_a_key_the_beat_task_warns_and_signs_nothing(world, settings, tmp_path, caplog):
    settings.TRANSPARENCY_SIGNING_KEY_FILE = str(tmp_path / "none.key")
    with caplog.at_level(logging.WARNING, logger="audit.tasks"):
        assert sign_checkpoint() is None
    assert "no signing key yet" in caplog.text
    assert not SignedCheckpoint.objects.exists()
