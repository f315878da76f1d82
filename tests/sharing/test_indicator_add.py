"""The add page: paste values (one per line, type detected or given), a report per line shown
after a redirect (post/redirect/get), results and duplicates in words."""

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
    assert response.status_code == 302 and response["Location"].startswith("/indicators/add/?")
    response = client.get(response["Location"])
    assert response.status_code == 200
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
    assert response.status_code == 302
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


def _paste(client, agency, values: str):
    form = {
        "agency": agency.pk,
        "type": "",
        "tlp": "GREEN",
        "pap": "GREEN",
        "handling_code": "H0",
        "confidence": 70,
        "values": values,
    }
    return client.post("/indicators/add/", form, follow=True)


def test_the_report_names_the_line_a_duplicate_repeats_and_results_in_words(world, client_for):
    client = client_for(world.owner.investigator)
    values = "# comment\n192.0.2.91\n\n198.51.100.7\n192.0.2.91"
    response = _paste(client, world.owner.agency, values)
    html = response.content.decode()
    assert "Duplicate of line 2." in html
    assert "Duplicate of item" not in html
    report = html[html.index('id="report"') :]
    assert "Added" in report and "Not added" in report
    assert ">added<" not in report and "invalid:" not in report
    assert "IPv4 address" in report and "<td>ipv4</td>" not in report
    assert "1 added" not in html and "2 added, 1 not added (see the report below)." in html


def test_reloading_the_report_adds_nothing_twice_and_it_is_the_adders_alone(world, client_for):
    client = client_for(world.owner.investigator)
    response = _paste(client, world.owner.agency, "192.0.2.92")
    url = response.redirect_chain[-1][0]
    assert Indicator.objects.filter(normalized="192.0.2.92").count() == 1
    again = client.get(url)
    assert again.status_code == 200 and [r["line"] for r in again.context["report"]] == [1]
    assert Indicator.objects.filter(normalized="192.0.2.92").count() == 1
    for user in (world.owner.analyst, world.partner.investigator, world.outsider.investigator):
        assert client_for(user).get(url).status_code == 404
