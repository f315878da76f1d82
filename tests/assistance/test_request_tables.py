"""The assistance page's two tables: incoming requests (the addressee's) and outgoing ones (the
requester's, new), each sorted, filtered (django-filter, its own parameters), paged, with a
total and an empty state that says what next; no side sees another agency's requests."""

from __future__ import annotations

import pytest
from django.utils.html import escape

from assistance.models import AssistanceRequest, Kind
from tests.assistance.conftest import draft, sent
from tests.paging_queries import count_queries

pytestmark = pytest.mark.django_db

URL = "/assistance/"


@pytest.fixture
def made(aw):
    """Two requests DE-BKA sent to the provider (one without a deadline) and one draft."""
    first, second = sent(aw), sent(aw, summary="Second C2 server")
    AssistanceRequest.objects.filter(pk=second.pk).update(due_at=None)
    return {"sent": [first, second], "draft": draft(aw, summary="Not sent yet")}


def _pks(response, name: str) -> list[int]:
    return [r.pk for r in response.context[name].page]


def test_each_side_sees_only_its_own_incoming_and_outgoing_requests(aw, made, client_for):
    first, second = made["sent"]
    seen = {}
    for name, user in (
        ("owner", aw.owner.investigator),
        ("provider", aw.liaison),
        ("partner", aw.partner.investigator),
        ("outsider", aw.outsider.investigator),
    ):
        response = client_for(user).get(URL)
        assert response.status_code == 200
        seen[name] = (
            set(_pks(response, "table")),
            set(_pks(response, "outgoing_table")),
            response.context["table"].total,
            response.context["outgoing_table"].total,
        )
    everything = {first.pk, second.pk, made["draft"].pk}
    assert seen["owner"] == (set(), everything, 0, 3)
    assert seen["provider"] == ({first.pk, second.pk}, set(), 2, 0)
    assert seen["partner"] == (set(), set(), 0, 0)
    assert seen["outsider"] == (set(), set(), 0, 0)


def test_rows_name_the_request_in_words_not_by_number(aw, made, client_for):
    html = client_for(aw.owner.investigator).get(URL).content.decode()
    assert "Second C2 server" in html and "Not sent yet" in html
    assert f">#{made['draft'].pk}<" not in html
    assert str(Kind.PRESERVATION.label) in html and ">preservation<" not in html


def test_the_outgoing_list_sorts_and_filters_on_its_own_parameters(aw, made, client_for):
    client = client_for(aw.owner.investigator)
    oldest = client.get(URL, {"out_sort": "number"})
    expected = [made["sent"][0].pk, made["sent"][1].pk, made["draft"].pk]
    assert _pks(oldest, "outgoing_table") == expected
    drafts = client.get(URL, {"out-status": "draft"})
    assert _pks(drafts, "outgoing_table") == [made["draft"].pk]
    assert drafts.context["outgoing_table"].total == 1
    bad = client.get(URL, {"out-kind": "<x>"})
    assert bad.status_code == 400
    assert "Kind: “&lt;x&gt;” is not one of the choices" in bad.content.decode()
    assert len(_pks(bad, "outgoing_table")) == 3


def test_the_inbox_sorts_soonest_due_first_and_by_status(aw, made, client_for):
    client = client_for(aw.liaison)
    first, second = made["sent"]
    assert _pks(client.get(URL), "table") == [first.pk, second.pk]  # undated last
    assert _pks(client.get(URL, {"sort": "-due"}), "table") == [second.pk, first.pk]
    assert _pks(client.get(URL, {"sort": "-number"}), "table") == [second.pk, first.pk]


def test_a_filter_cannot_reveal_another_agencys_requests(aw, made, client_for):
    client = client_for(aw.outsider.investigator)
    for params in ({"status": "sent"}, {"out-status": "draft"}, {"kind": "preservation"}):
        response = client.get(URL, params)
        assert _pks(response, "table") == [] and _pks(response, "outgoing_table") == []
        assert "C2 server" not in response.content.decode()


def test_empty_lists_say_what_to_do_next(aw, client_for):
    html = client_for(aw.owner.investigator).get(URL).content.decode()
    assert "No incoming requests." in html
    assert "Start one from a case&#x27;s Requests tab." in html
    filtered = client_for(aw.owner.investigator).get(URL, {"status": "refused"})
    assert "Clear the filters" in filtered.content.decode()


def test_the_cases_request_list_names_requests_by_their_summary(aw, made, client_for):
    html = client_for(aw.owner.investigator).get(f"/assistance/cases/{aw.case.pk}/").content
    text = html.decode()
    assert "Second C2 server" in text and f">#{made['draft'].pk}<" not in text
    outsider = client_for(aw.outsider.investigator).get(f"/assistance/cases/{aw.case.pk}/")
    assert outsider.status_code == 404 and b"Second C2 server" not in outsider.content


def test_both_lists_read_no_query_per_row(aw, made, client_for):
    one = count_queries(client_for(aw.owner.investigator), URL)
    one_in = count_queries(client_for(aw.liaison), URL)
    sent(aw)
    sent(aw)
    assert count_queries(client_for(aw.owner.investigator), URL) == one
    assert count_queries(client_for(aw.liaison), URL) == one_in


def test_the_to_column_isolates_the_addressee_code_and_its_role_for_right_to_left_pages(
    aw, made, client_for
):
    request = made["sent"][0]
    html = client_for(aw.owner.investigator).get(URL).content.decode()
    role = escape(request.get_addressee_role_display())
    assert f'<bdi class="code">{aw.provider.code}</bdi> (<bdi>{role}</bdi>)' in html


def test_the_from_column_keeps_the_agency_code_on_one_line(aw, made, client_for):
    html = client_for(aw.liaison).get(URL).content.decode()
    assert f'<td class="code">{aw.owner.agency.code}</td>' in html
