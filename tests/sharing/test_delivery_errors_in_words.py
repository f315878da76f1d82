"""Delivery errors in plain words: the raw errors the worker records (produced here by real
sends to loopback) map to sentences, and the deliveries page shows them with the raw detail
behind a disclosure, a chart per endpoint, and nothing to other agencies."""

from __future__ import annotations

import socket
import threading

import pytest
from django.utils import translation

from sharing import delivery, services
from sharing.delivery import error_in_words
from sharing.models import Delivery
from sharing.tables import DeliveryTable
from tests.sharing.conftest import add


def _deliver_once(world, url: str, value: str) -> Delivery:
    endpoint, _ = services.endpoint_create(
        actor=world.partner.admin, agency=world.partner.agency, name="NL SOC", url=url
    )
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=add(world.owner, ("ipv4", value)),
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    sent = Delivery.objects.get(endpoint=endpoint)
    delivery.deliver(sent.pk)
    sent.refresh_from_db()
    return sent


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def silent_server():
    """Accepts connections and never answers: the sender's read times out."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        sock.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(sock.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}/"
    stop.set()
    thread.join()
    for conn in held:
        conn.close()
    sock.close()


def test_a_closed_port_reads_connection_refused_by_partner(world, eu_agreement):
    sent = _deliver_once(world, f"http://127.0.0.1:{_closed_port()}/", "192.0.2.120")
    assert "ConnectionError" in sent.last_error  # the raw text, as recorded
    assert error_in_words(sent.last_error, sent.last_status_code) == (
        "Connection refused by partner"
    )


def test_an_http_503_reads_http_503_from_partner(world, eu_agreement, scripted):
    scripted.script.append((503, {}))
    sent = _deliver_once(world, scripted.url, "192.0.2.121")
    assert sent.last_error.startswith("HTTP 503")
    assert error_in_words(sent.last_error, sent.last_status_code) == "HTTP 503 from partner"


def test_a_private_address_reads_refused_private_address(world, eu_agreement, settings):
    port = _closed_port()
    endpoint, _ = services.endpoint_create(
        actor=world.partner.admin,
        agency=world.partner.agency,
        name="NL SOC",
        url=f"http://127.0.0.1:{port}/",
    )
    settings.SHARING_ENDPOINT_ALLOWED_NETWORKS = []  # loopback is private again
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=add(world.owner, ("ipv4", "192.0.2.122")),
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    sent = Delivery.objects.get(endpoint=endpoint)
    delivery.deliver(sent.pk)
    sent.refresh_from_db()
    assert sent.last_error.startswith("Refused by the SSRF guard")
    assert error_in_words(sent.last_error, sent.last_status_code) == "Refused: private address"


def test_a_partner_that_never_answers_reads_timed_out(world, eu_agreement, settings, silent_server):
    settings.SHARING_DELIVERY_TIMEOUT = 0.5
    sent = _deliver_once(world, silent_server, "192.0.2.123")
    assert "Timeout" in sent.last_error
    assert error_in_words(sent.last_error, sent.last_status_code) == "Timed out"


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        (
            "ConnectionError: HTTPSConnectionPool(host='soc.partner.example', port=443): Max "
            'retries exceeded with url: /hook (Caused by NameResolutionError("<urllib3.'
            "connection.HTTPSConnection object at 0x7f>: Failed to resolve 'soc.partner."
            "example' ([Errno -2] Name or service not known)\"))",
            "Partner host name not found",
        ),
        (
            "Refused by the SSRF guard: The host soc.partner.example cannot be resolved "
            "([Errno -2] Name or service not known).",
            "Partner host name not found",
        ),
        (
            "ConnectionError: ('Connection aborted.', RemoteDisconnected('Remote end closed "
            "connection without response'))",
            "Partner closed the connection",
        ),
        (
            "SSLError: HTTPSConnectionPool(host='soc.partner.example', port=443): Max retries "
            "exceeded with url: / (Caused by SSLError(SSLCertVerificationError(1, '[SSL: "
            "CERTIFICATE_VERIFY_FAILED] certificate verify failed')))",
            "Secure connection (TLS) to partner failed",
        ),
        ("HTTP 410 Gone:", "HTTP 410 from partner: the endpoint is gone"),
        (delivery.LEASE_LOST, "Interrupted on our side; sending again"),
        ("Something nobody foresaw", "Delivery failed"),
        ("", ""),
    ],
)
def test_every_recorded_error_has_a_sentence_and_no_code(raw, words):
    assert error_in_words(raw) == words


def test_the_deliveries_page_shows_errors_in_words_with_the_raw_detail_behind_a_disclosure(
    world, eu_agreement, client_for
):
    sent = _deliver_once(world, f"http://127.0.0.1:{_closed_port()}/", "192.0.2.124")
    url = f"/agencies/{world.partner.agency.code}/deliveries/"
    response = client_for(world.partner.admin).get(url)
    assert response.status_code == 200
    html = response.content.decode()
    latest = html[html.index('id="latest-errors"') :]
    assert "Connection refused by partner" in latest
    raw = latest[latest.index('<details class="raw-error">') :]
    assert "ConnectionError" in raw[: raw.index("</details>")]
    assert [d.pk for d, _ in response.context["errors"]] == [sent.pk]


def test_the_deliveries_page_has_a_chart_per_endpoint_with_its_numbers_as_a_table(
    world, eu_agreement, client_for, scripted
):
    scripted.script.append((503, {}))
    sent = _deliver_once(world, scripted.url, "192.0.2.125")
    response = client_for(world.partner.admin).get(
        f"/agencies/{world.partner.agency.code}/deliveries/"
    )
    row = response.context["rows"][0]
    assert row["chart"]["total"] == 1
    failing = row["chart"]["spec"]["datasets"][1]
    assert failing["label"] == "Failing (will retry)" and sum(failing["data"]) == 1
    html = response.content.decode()
    assert f'data-chart="endpoint-chart-{sent.endpoint_id}"' in html
    assert f'id="endpoint-chart-{sent.endpoint_id}" type="application/json"' in html
    assert 'class="chart-table"' in html


def test_other_agencies_and_non_admins_get_404_on_the_deliveries_page(
    world, eu_agreement, client_for
):
    _deliver_once(world, f"http://127.0.0.1:{_closed_port()}/", "192.0.2.126")
    url = f"/agencies/{world.partner.agency.code}/deliveries/"
    for user in (world.owner.admin, world.outsider.admin, world.partner.investigator):
        response = client_for(user).get(url)
        assert response.status_code == 404
        assert b"Connection refused" not in response.content


def test_a_failing_deliverys_outcome_and_reason_follow_the_readers_punctuation(catalogue):
    # French puts a space before the colon: the line is one translatable sentence.
    catalogue(
        "fr",
        {"report line: result and reason\x04%(result)s: %(reason)s": "%(result)s : %(reason)s"},
    )
    failing = Delivery(status=Delivery.Status.FAILING, last_error="HTTP 503", last_status_code=503)
    table = DeliveryTable([])
    with translation.override("fr"):
        assert table.render_status(failing).endswith(" : HTTP 503 du partenaire")
    with translation.override("en"):
        assert table.render_status(failing) == "Failing (will retry): HTTP 503 from partner"
