"""The request form in the browser: pre-check errors next to their fields, bad values inline,
a complete request submitted, photos served only to those who see the notice."""

from __future__ import annotations

import re

from django.core.files.uploadedfile import SimpleUploadedFile

from notices.models import Notice
from tests.notices.conftest import RED_DATA


def _form_post(**overrides):
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in RED_DATA.items()}
    data["nationalities"] = ", ".join(data["nationalities"])
    data.update({"notice_type": "RED", "tlp": "AMBER", "action": "save"})
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_the_request_form_shows_pre_check_errors_next_to_the_fields(world, client_for):
    client = client_for(world.owner.investigator)
    assert client.get("/notices/new/").status_code == 200
    post = _form_post(action="submit", charges="", max_penalty_months="12")
    post.pop("languages")
    response = client.post("/notices/new/", post)
    assert response.status_code == 400
    html = response.content.decode()
    for field in ("charges", "languages", "max_penalty_months"):
        block = re.search(rf'id="field-{field}".*?(?=id="field-)', html, re.S).group(0)
        assert 'class="errorlist"' in block, field
    assert "at least 2 years" in html
    # A refused submission leaves no half-made draft: nothing is saved, the form keeps what
    # was typed and still posts to the new-request address.
    assert Notice.objects.count() == 0
    assert 'action="/notices/new/"' in html
    assert "Not submitted and not saved" in html
    assert 'value="12"' in html


def test_the_request_form_rejects_bad_values_inline(world, client_for):
    client = client_for(world.owner.investigator)
    response = client.post("/notices/new/", _form_post(nationalities="Germany", height_cm="abc"))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="errors-nationalities"' in html and 'id="errors-height_cm"' in html
    assert Notice.objects.count() == 0


def test_a_complete_request_is_submitted_from_the_form(world, client_for):
    client = client_for(world.owner.investigator)
    response = client.post("/notices/new/", _form_post(action="submit"))
    notice = Notice.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/notices/{notice.pk}/"
    assert notice.status == Notice.Status.SUBMITTED
    assert notice.nationalities == ["GB", "DE"] and notice.languages == ["EN", "FR"]


def test_secretariat_members_cannot_request_notices(world, client_for):
    assert client_for(world.reviewer).get("/notices/new/").status_code == 403


def test_the_edit_form_keeps_dates_in_the_browser_date_format(world, make_notice, client_for):
    notice = make_notice("draft")
    html = client_for(world.owner.investigator).get(f"/notices/{notice.pk}/edit/").content.decode()
    assert 'value="1985-03-14"' in html


def test_a_photo_uploaded_with_the_form_is_served_only_to_those_who_see_the_notice(
    world, make_notice, client_for, settings, tmp_path
):

    settings.MEDIA_ROOT = tmp_path
    notice = make_notice("draft")
    owner = client_for(world.owner.investigator)
    post = _form_post(photo=SimpleUploadedFile("face.png", b"\x89PNG fake", "image/png"))
    assert owner.post(f"/notices/{notice.pk}/edit/", post).status_code == 302
    photo = notice.photos.get()
    url = f"/notices/{notice.pk}/photos/{photo.pk}/"
    assert b"".join(owner.get(url).streaming_content) == b"\x89PNG fake"
    assert client_for(world.partner.investigator).get(url).status_code == 404
    bad = _form_post(photo=SimpleUploadedFile("face.exe", b"MZ", "application/octet-stream"))
    response = client_for(world.owner.investigator).post(f"/notices/{notice.pk}/edit/", bad)
    assert response.status_code == 400
    assert 'id="errors-photo"' in response.content.decode()
