"""Witnesses: an agency registers its cosigner keys (type 0x04, never the log's own key) and
retires them; its witnesses' cosignatures of checkpoints this log signed are verified, stored
once, audited and appended to the checkpoint; nobody posts for another agency's witness. The
API (owner / partner / outsider), the admin pages and the transparency page."""

from __future__ import annotations

import base64
import re
import threading
import time

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from rest_framework.test import APIClient

from agencies import services, witnesses
from agencies.models import Cosignature, Witness
from agencies.selectors import cosigned_note
from audit import checkpoints, log
from audit.models import AuditEvent, SignedCheckpoint
from audit.services import audit_log
from tests.factories import WitnessKey, make_member, make_witness
from tools.verify_log import (
    EM_DASH,
    parse_note,
    verify_checkpoint,
    verify_cosignature,
)

SIDES = ["owner", "partner", "outsider"]


def grow_and_sign(entries: int = 3) -> SignedCheckpoint:
    for n in range(entries):
        audit_log(actor=None, action="test.append", object_type="t", object_id=str(n))
    return checkpoints.checkpoint_sign()


def field_message(error: pytest.ExceptionInfo[ValidationError], field: str) -> str:
    return " ".join(error.value.message_dict[field])


# --- registering and retiring --------------------------------------------------------------------


def test_a_witness_is_registered_by_its_cosigner_key_and_audited(world):
    key = WitnessKey("witness.nhtcu.example/w1")
    witness = witnesses.witness_register(
        actor=world.partner.admin, agency=world.partner.agency, verifier_key=f"  {key.verifier}\n"
    )
    assert (witness.name, witness.verifier_key, witness.active) == (
        "witness.nhtcu.example/w1",
        str(key.verifier),
        True,
    )
    event = AuditEvent.objects.get(action="witness.registered")
    assert (event.object_id, event.agency_code, event.actor) == (
        str(witness.pk),
        "NL-NHTCU",
        world.partner.admin,
    )


@pytest.mark.parametrize(
    "pasted, message",
    [
        ("log", witnesses.LOG_KEY),
        ("garbage", "Not a witness verifier key"),
        ("", "Not a witness verifier key"),
        ("wrong-id", "the verifier key's id does not match"),
        ("long-name", "A verifier key is at most 300 characters"),
    ],
)
def test_a_log_key_or_garbage_is_refused_naming_verifier_key(world, log_key, pasted, message):
    cosigner = WitnessKey("witness.example/w1").verifier
    text = {
        "log": str(log_key),
        "garbage": "not a key at all",
        "": "",
        "wrong-id": str(cosigner).replace(f"+{cosigner.key_id.hex()}+", "+00000000+"),
        "long-name": str(WitnessKey("w" * 260).verifier),
    }[pasted]
    with pytest.raises(ValidationError) as error:
        witnesses.witness_register(
            actor=world.owner.admin, agency=world.owner.agency, verifier_key=text
        )
    assert message in field_message(error, "verifier_key")
    assert not Witness.objects.exists()


def test_a_key_is_registered_once_even_by_another_agency_or_after_retiring(world):
    witness, key = make_witness(world.owner.agency)
    for agency in (world.owner.agency, world.partner.agency):
        with pytest.raises(ValidationError) as error:
            witnesses.witness_register(actor=None, agency=agency, verifier_key=str(key.verifier))
        assert field_message(error, "verifier_key") == witnesses.ALREADY_REGISTERED
    witnesses.witness_retire(actor=world.owner.admin, witness=witness)
    with pytest.raises(ValidationError, match="already registered"):
        witnesses.witness_register(
            actor=None, agency=world.owner.agency, verifier_key=str(key.verifier)
        )


def test_retiring_keeps_the_cosignatures_and_refuses_new_ones(world, log_key):
    witness, key = make_witness(world.owner.agency)
    first = grow_and_sign()
    witnesses.cosignature_record(actor=world.owner.investigator, note=key.cosign(first.note))
    witnesses.witness_retire(actor=world.owner.admin, witness=witness)
    witnesses.witness_retire(actor=world.owner.admin, witness=witness)  # once is audited
    witness.refresh_from_db()
    assert not witness.active
    assert AuditEvent.objects.filter(action="witness.retired").count() == 1
    assert Cosignature.objects.filter(witness=witness, checkpoint=first).exists()
    second = grow_and_sign()
    with pytest.raises(ValidationError) as error:
        witnesses.cosignature_record(actor=world.owner.investigator, note=key.cosign(second.note))
    assert field_message(error, "note") == witnesses.UNKNOWN_WITNESS


# --- recording cosignatures ----------------------------------------------------------------------


def test_a_cosignature_is_verified_stored_and_appended_to_the_checkpoint(world, log_key):
    witness, key = make_witness(world.partner.agency)
    signed = grow_and_sign()
    cosigned = witnesses.cosignature_record(
        actor=world.partner.analyst, note=key.cosign(signed.note, timestamp=1_780_000_000)
    )
    assert (cosigned.checkpoint, cosigned.witnesses, cosigned.created) == (signed, [witness], True)
    stored = Cosignature.objects.get()
    assert (stored.witness, stored.timestamp) == (witness, 1_780_000_000)
    assert stored.line.startswith(f"{EM_DASH} {witness.name} ") and stored.line.endswith("\n")
    # the log does not grow from being witnessed (else every cosignature calls for a new one)
    assert log.tree_size() == signed.tree_size
    note = cosigned_note(signed)
    assert verify_cosignature(note, key.verifier)[1] == 1_780_000_000
    assert verify_checkpoint(note, log_key).size == signed.tree_size


def test_posting_again_is_not_an_error_and_stores_nothing_new(world, log_key):
    witness, key = make_witness(world.owner.agency)
    signed = grow_and_sign()
    witnesses.cosignature_record(actor=world.owner.investigator, note=key.cosign(signed.note))
    again = witnesses.cosignature_record(
        actor=world.owner.investigator, note=key.cosign(signed.note, timestamp=1_790_000_000)
    )
    assert (again.witnesses, again.created) == ([witness], False)
    assert Cosignature.objects.count() == 1
    assert Cosignature.objects.get().timestamp != 1_790_000_000


def test_two_witnesses_of_an_agency_cosign_in_one_post(world, log_key):
    first, first_key = make_witness(world.owner.agency, "witness.bka.example/a")
    second, second_key = make_witness(world.owner.agency, "witness.bka.example/b")
    signed = grow_and_sign()
    note = second_key.cosign(first_key.cosign(signed.note))
    cosigned = witnesses.cosignature_record(actor=world.owner.admin, note=note)
    assert sorted(w.name for w in cosigned.witnesses) == [first.name, second.name]
    assert Cosignature.objects.filter(checkpoint=signed).count() == 2


def test_an_invalid_signature_is_refused_naming_the_witness(world, log_key):
    witness, key = make_witness(world.owner.agency)
    signed = grow_and_sign()
    good = key.cosign(signed.note)
    name, _, encoded = good.rstrip("\n").rpartition("\n")[2][2:].rpartition(" ")
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 1
    forged = good[: good.rindex(EM_DASH)] + f"{EM_DASH} {name} {base64.b64encode(raw).decode()}\n"
    with pytest.raises(ValidationError) as error:
        witnesses.cosignature_record(actor=world.owner.investigator, note=forged)
    assert field_message(error, "note") == witnesses.INVALID_COSIGNATURE.format(
        name=witness.name, reason=f"the signature of {witness.name} is invalid"
    )
    assert not Cosignature.objects.exists()


def test_a_cosignature_of_another_checkpoint_text_is_invalid(world, log_key):
    witness, key = make_witness(world.owner.agency)
    older = grow_and_sign()
    newer = grow_and_sign()
    line = key.cosign(older.note)[len(older.note) :]
    with pytest.raises(ValidationError, match=re.escape(f"The cosignature of {witness.name} is")):
        witnesses.cosignature_record(actor=world.owner.investigator, note=newer.note + line)


@pytest.mark.parametrize("change", ["root", "size", "origin", "huge size"])
def test_a_note_this_log_did_not_sign_is_refused(world, log_key, change):
    _, key = make_witness(world.owner.agency)
    signed = grow_and_sign()
    origin, size, root = parse_note(signed.note).text.splitlines()
    text = {
        "root": f"{origin}\n{size}\n{base64.b64encode(bytes(32)).decode()}\n",
        "size": f"{origin}\n{int(size) + 1}\n{root}\n",
        "origin": f"evil.example/log\n{size}\n{root}\n",
        "huge size": f"{origin}\n{10**30}\n{root}\n",
    }[change]
    note = key.cosign(f"{text}\n{signed.note.split(chr(10) * 2, 1)[1]}")
    with pytest.raises(ValidationError) as error:
        witnesses.cosignature_record(actor=world.owner.investigator, note=note)
    assert field_message(error, "note") == witnesses.NOT_OUR_CHECKPOINT


def test_another_agencys_witness_is_unknown_to_the_poster(world, log_key):
    _, key = make_witness(world.owner.agency)
    signed = grow_and_sign()
    for user in (world.outsider.admin, world.partner.investigator):
        with pytest.raises(ValidationError) as error:
            witnesses.cosignature_record(actor=user, note=key.cosign(signed.note))
        assert field_message(error, "note") == witnesses.UNKNOWN_WITNESS
    # Acting with a key of another agency, a member of both may not use it either.
    make_member(world.partner.agency, "owner_investigator")
    with pytest.raises(ValidationError, match=re.escape(witnesses.UNKNOWN_WITNESS)):
        witnesses.cosignature_record(
            actor=world.owner.investigator,
            note=key.cosign(signed.note),
            agency=world.partner.agency,
        )
    assert not Cosignature.objects.exists()


def test_a_cosignature_from_the_future_is_refused(world, log_key):
    witness, key = make_witness(world.owner.agency)
    signed = grow_and_sign()
    ahead = int(time.time()) + witnesses.FUTURE_LEEWAY + 120
    with pytest.raises(ValidationError) as error:
        witnesses.cosignature_record(
            actor=world.owner.investigator, note=key.cosign(signed.note, timestamp=ahead)
        )
    assert f"The cosignature of {witness.name} is dated" in field_message(error, "note")
    assert "in the future" in field_message(error, "note")
    slightly = int(time.time()) + 30  # a witness's clock a little ahead is fine
    witnesses.cosignature_record(
        actor=world.owner.investigator, note=key.cosign(signed.note, timestamp=slightly)
    )


@pytest.mark.parametrize("note", ["", "garbage", "a\n\nb", "x\n1\nAAAA\n\n— x AAAAAAAA\n"])
def test_what_is_not_a_signed_checkpoint_note_is_refused_naming_note(world, log_key, note):
    make_witness(world.owner.agency)
    grow_and_sign()
    with pytest.raises(ValidationError) as error:
        witnesses.cosignature_record(actor=world.owner.investigator, note=note)
    assert field_message(error, "note").startswith("Not a signed note")


# --- the API -------------------------------------------------------------------------------------


def witness_key_client(api_client_for, side, scopes=("read", "witness")) -> APIClient:
    _, plaintext = services.api_key_issue(
        actor=None, agency=side.agency, user=side.analyst, name="witness", scopes=scopes
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    return client


@pytest.mark.parametrize("side", SIDES)
def test_each_agency_posts_its_own_witness_cosignature(world, log_key, api_client_for, side):
    agency = getattr(world, side).agency
    witness, key = make_witness(agency, f"witness.{side}.example/w1")
    signed = grow_and_sign()
    client = witness_key_client(api_client_for, getattr(world, side))
    url = "/api/v1/transparency/cosignatures"
    response = client.post(url, {"note": key.cosign(signed.note)}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json() == {"tree_size": signed.tree_size, "witnesses": [witness.name]}
    again = client.post(url, {"note": key.cosign(signed.note)}, format="json")
    assert (again.status_code, again.json()["witnesses"]) == (200, [witness.name])
    note = client.get("/api/v1/transparency/checkpoint").content.decode()
    verify_cosignature(note, key.verifier)


@pytest.mark.parametrize("poster", ["partner", "outsider"])
def test_no_agency_posts_for_another_agencys_witness(world, log_key, api_client_for, poster):
    _, key = make_witness(world.owner.agency)
    signed = grow_and_sign()
    client = witness_key_client(api_client_for, getattr(world, poster))
    response = client.post(
        "/api/v1/transparency/cosignatures", {"note": key.cosign(signed.note)}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"note": [witnesses.UNKNOWN_WITNESS]}
    assert not Cosignature.objects.exists()


def test_a_member_may_post_from_a_signed_in_session(world, log_key, client_for):
    witness, key = make_witness(world.owner.agency)
    signed = grow_and_sign()
    response = client_for(world.owner.investigator).post(
        "/api/v1/transparency/cosignatures",
        {"note": key.cosign(signed.note)},
        content_type="application/json",
    )
    assert response.status_code == 201 and response.json()["witnesses"] == [witness.name]


def test_anonymous_callers_get_401(world, log_key):
    _, key = make_witness(world.owner.agency)
    signed = grow_and_sign()
    client = APIClient()
    for method, url in [
        ("post", "cosignatures"),
        ("get", "checkpoints"),
        ("get", "checkpoint"),
    ]:
        response = getattr(client, method)(
            f"/api/v1/transparency/{url}", {"note": key.cosign(signed.note)}, format="json"
        )
        assert response.status_code == 401, url
    assert not Cosignature.objects.exists()


def test_a_key_without_the_witness_scope_may_not_post(world, log_key, api_client_for):
    _, key = make_witness(world.owner.agency)
    signed = grow_and_sign()
    client = witness_key_client(api_client_for, world.owner, scopes=("read", "write"))
    response = client.post(
        "/api/v1/transparency/cosignatures", {"note": key.cosign(signed.note)}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "This API key may not do this: it needs the witness scope."


def test_a_witness_only_key_reads_the_log_but_nothing_else(world, log_key, api_client_for):
    grow_and_sign()
    client = witness_key_client(api_client_for, world.owner, scopes=("witness",))
    for url in ["checkpoint", "checkpoints", "proof/consistency?first=1&second=2"]:
        assert client.get(f"/api/v1/transparency/{url}").status_code == 200, url
    response = client.get("/api/v1/cases/")
    assert response.status_code == 403
    assert "needs the read scope" in response.json()["detail"]
    ingest_only = witness_key_client(api_client_for, world.owner, scopes=("ingest",))
    response = ingest_only.get("/api/v1/transparency/checkpoint")
    assert response.status_code == 403
    assert "needs the read or witness scope" in response.json()["detail"]


@pytest.mark.parametrize(
    "body, message",
    [
        ({}, "This field is required."),
        ({"note": ""}, "This field may not be blank."),
        ({"note": "garbage"}, "Not a signed note"),
        ({"note": ["a list"]}, "Not a valid string."),
        ({"note": "x" * 20_001}, "no more than 20000 characters"),
    ],
)
def test_a_bad_body_is_a_400_naming_note(world, log_key, api_client_for, body, message):
    grow_and_sign()
    client = witness_key_client(api_client_for, world.owner)
    response = client.post("/api/v1/transparency/cosignatures", body, format="json")
    assert response.status_code == 400
    assert message in " ".join(response.json()["note"])


def test_the_checkpoint_list_pages_newest_first_with_its_witnesses(world, log_key, api_client_for):
    witness, key = make_witness(world.partner.agency)
    first = grow_and_sign()
    second = grow_and_sign()
    witnesses.cosignature_record(
        actor=world.partner.admin, note=key.cosign(first.note, timestamp=1_780_000_000)
    )
    client = api_client_for(world.outsider.analyst, world.outsider.agency)
    page = client.get("/api/v1/transparency/checkpoints?limit=1").json()
    assert [c["tree_size"] for c in page["results"]] == [second.tree_size]
    assert page["results"][0]["witnesses"] == []
    assert base64.b64decode(page["results"][0]["root"]) == bytes(second.root_hash)
    following = client.get(page["next"]).json()
    assert [c["tree_size"] for c in following["results"]] == [first.tree_size]
    assert following["results"][0]["witnesses"] == [
        {
            "agency": "NL-NHTCU",
            "agency_name": world.partner.agency.name,
            "name": witness.name,
            "timestamp": 1_780_000_000,
        }
    ]
    assert following["results"][0]["signed_at"]


def test_the_checkpoint_is_404_until_one_is_signed(world, log_key, api_client_for):
    client = api_client_for(world.owner.analyst, world.owner.agency)
    response = client.get("/api/v1/transparency/checkpoint")
    assert response.status_code == 404
    assert response.json()["detail"] == "No checkpoint has been signed yet."


# --- the pages -----------------------------------------------------------------------------------


def test_an_admin_registers_lists_and_retires_a_witness_after_confirming(world, client_for):
    key = WitnessKey("witness.bka.example/w1")
    client = client_for(world.owner.admin)
    url = "/agencies/DE-BKA/witnesses/"
    response = client.post(url, {"verifier_key": str(key.verifier)})
    assert response.status_code == 302
    witness = Witness.objects.get()
    assert witness.agency == world.owner.agency and witness.created_by == world.owner.admin
    page = client.get(url).content.decode()
    assert str(key.verifier) in page and "active" in page
    confirm = client.get(f"{url}{witness.pk}/retire/")
    assert confirm.status_code == 200
    assert b"Retire witness witness.bka.example/w1?" in confirm.content
    witness.refresh_from_db()
    assert witness.active  # the confirmation page changes nothing
    assert client.post(f"{url}{witness.pk}/retire/").status_code == 302
    witness.refresh_from_db()
    assert not witness.active
    assert "retired" in client.get(url).content.decode()


def test_a_bad_key_on_the_page_is_a_400_saying_why(world, client_for, log_key):
    client = client_for(world.owner.admin)
    response = client.post("/agencies/DE-BKA/witnesses/", {"verifier_key": str(log_key)})
    assert response.status_code == 400
    assert "not a witness&#x27;s cosigner key (type 0x04)" in response.content.decode()
    assert not Witness.objects.exists()


@pytest.mark.parametrize(
    "who", ["owner.investigator", "owner.analyst", "partner.admin", "outsider.admin"]
)
def test_only_the_agencys_admins_see_its_witness_pages(world, client_for, who):
    witness, key = make_witness(world.owner.agency)
    side, role = who.split(".")
    client = client_for(getattr(getattr(world, side), role))
    base = "/agencies/DE-BKA/witnesses/"
    assert client.get(base).status_code == 404
    other = WitnessKey("witness.other.example/w1")
    assert client.post(base, {"verifier_key": str(other.verifier)}).status_code == 404
    assert client.get(f"{base}{witness.pk}/retire/").status_code == 404
    assert client.post(f"{base}{witness.pk}/retire/").status_code == 404
    witness.refresh_from_db()
    assert witness.active and Witness.objects.count() == 1


def test_an_admin_cannot_retire_another_agencys_witness_through_their_own_page(world, client_for):
    witness, _ = make_witness(world.owner.agency)
    client = client_for(world.partner.admin)
    response = client.post(f"/agencies/NL-NHTCU/witnesses/{witness.pk}/retire/")
    assert response.status_code == 404
    witness.refresh_from_db()
    assert witness.active


@pytest.mark.parametrize("side", SIDES)
def test_every_member_sees_the_log_key_and_who_witnessed_each_checkpoint(
    world, log_key, client_for, side
):
    witness, key = make_witness(world.partner.agency)
    signed = grow_and_sign()
    witnesses.cosignature_record(
        actor=world.partner.admin, note=key.cosign(signed.note, timestamp=1_780_000_000)
    )
    page = client_for(getattr(world, side).analyst).get("/transparency/")
    text = page.content.decode()
    assert page.status_code == 200
    assert str(log_key) in text
    assert (
        f"<div>{world.partner.agency.name} ({witness.name}) at 28/05/2026 20:26:40 UTC</div>"
        in text
    )
    assert f"<td>{signed.tree_size}</td>" in text
    assert 'href="/transparency/"' in text  # in the navigation


def test_the_transparency_page_says_when_the_log_has_no_key(world, client_for, settings, tmp_path):
    settings.TRANSPARENCY_SIGNING_KEY_FILE = str(tmp_path / "absent.key")
    page = client_for(world.owner.analyst).get("/transparency/")
    assert page.status_code == 200
    assert b"The log has no signing key yet" in page.content


def test_the_transparency_page_needs_a_sign_in(db):
    response = APIClient().get("/transparency/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_admins_find_their_witness_page_from_the_transparency_page(world, client_for, log_key):
    admin_page = client_for(world.owner.admin).get("/transparency/").content.decode()
    assert 'href="/agencies/DE-BKA/witnesses/"' in admin_page
    member_page = client_for(world.owner.investigator).get("/transparency/").content.decode()
    assert "/witnesses/" not in member_page


def test_a_checkpoint_signed_before_any_witness_shows_not_witnessed(world, log_key, client_for):
    grow_and_sign()
    page = client_for(world.owner.analyst).get("/transparency/").content.decode()
    assert "not witnessed yet" in page


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_store_each_cosignature_once_without_deadlock(world, log_key):
    first, first_key = make_witness(world.owner.agency, "witness.bka.example/a")
    second, second_key = make_witness(world.owner.agency, "witness.bka.example/b")
    older, newer = grow_and_sign(), grow_and_sign()
    notes = [
        second_key.cosign(first_key.cosign(checkpoint.note))
        if order
        else first_key.cosign(second_key.cosign(checkpoint.note))
        for checkpoint in (older, newer)
        for order in (True, False)
    ] * 2
    barrier = threading.Barrier(len(notes))
    errors: list[BaseException] = []

    def post(note: str) -> None:
        try:
            barrier.wait()
            witnesses.cosignature_record(actor=world.owner.investigator, note=note)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(note,)) for note in notes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    for checkpoint in (older, newer):
        stored = Cosignature.objects.filter(checkpoint=checkpoint)
        assert sorted(stored.values_list("witness__name", flat=True)) == [first.name, second.name]
