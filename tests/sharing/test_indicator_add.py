"""The add page: paste values (one per line, type detected or given), a report per line."""

from __future__ import annotations

from sharing.models import Indicator


def test_bulk_paste_reports_line_by_line(world, client_for):
    client = client_for(world.owner.investigator)
    response = client.post(
        "/indicators/add/",
        {
            "agency": world.owner.agency.pk,
            "type": "",
            "tlp": "GREEN",
            "pap": "GREEN",
            "handling_code": "H0",
            "confidence": 70,
            "values": "192.0.2.91\nsha256 abc\n\nhttps://Evil.example:443/x\n???\n192.0.2.91",
        },
    )
    assert response.status_code == 400  # some lines were invalid
    rows = response.context["report"]
    assert [(r["line"], r["status"]) for r in rows] == [
        (1, "added"),
        (2, "invalid"),
        (4, "added"),
        (5, "invalid"),
        (6, "invalid"),
    ]
    assert "64 hexadecimal digits" in rows[1]["reason"]
    assert Indicator.objects.filter(owner=world.owner.agency, tlp="GREEN").count() == 2


def test_adding_one_indicator(world, client_for, client):
    assert client.get("/indicators/add/").status_code == 302
    response = client_for(world.partner.investigator).post(
        "/indicators/add/",
        {
            "agency": world.partner.agency.pk,
            "type": "asn",
            "tlp": "AMBER",
            "pap": "AMBER",
            "handling_code": "H1",
            "confidence": 50,
            "values": "as64501",
        },
    )
    assert response.status_code == 200
    assert Indicator.objects.get().normalized == "AS64501"
    # one cannot add for an agency one does not belong to
    response = client_for(world.outsider.investigator).post(
        "/indicators/add/",
        {
            "agency": world.owner.agency.pk,
            "type": "",
            "tlp": "AMBER",
            "pap": "AMBER",
            "handling_code": "H0",
            "confidence": 50,
            "values": "192.0.2.1",
        },
    )
    assert response.status_code == 400 and Indicator.objects.count() == 1
