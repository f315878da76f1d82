"""The correlation page names what it found: a visible match as its holder's indicator (a
link), the type by its label, never "#<id>"; another agency's match stays a bare hit."""

from __future__ import annotations

import pytest

from sharing.models import IndicatorType

pytestmark = pytest.mark.django_db

VALUE = "198.51.100.77"


@pytest.fixture
def held(world, add_indicators):
    """The owner and the partner each hold the value, neither shares it."""
    (mine,) = add_indicators(world.owner, [{"type": "ipv4", "value": VALUE}])
    (theirs,) = add_indicators(world.partner, [{"type": "ipv4", "value": VALUE}])
    return mine, theirs


def test_a_visible_match_is_named_by_its_holder_and_linked(world, held, client_for):
    mine, theirs = held
    html = client_for(world.owner.investigator).post("/correlations/", {"values": VALUE})
    text = html.content.decode()
    results = text[text.index('id="lookup-results"') :]
    assert f'<a href="/indicators/{mine.pk}/">DE-BKA&#x27;s indicator</a>' in results or (
        f'<a href="/indicators/{mine.pk}/">DE-BKA\'s indicator</a>' in results
    )
    assert f"#{mine.pk}" not in results and f"/indicators/{theirs.pk}/" not in text
    assert str(IndicatorType.IPV4.label) in results and "<td>ipv4</td>" not in results


def test_the_partner_and_the_outsider_see_their_own_or_a_bare_hit(world, held, client_for):
    mine, theirs = held
    partner = client_for(world.partner.investigator).post("/correlations/", {"values": VALUE})
    text = partner.content.decode()
    assert f"/indicators/{theirs.pk}/" in text and f"/indicators/{mine.pk}/" not in text
    assert "DE-BKA" not in text
    outsider = client_for(world.outsider.investigator).post("/correlations/", {"values": VALUE})
    text = outsider.content.decode()
    assert "Another agency holds a match" in text
    assert "DE-BKA" not in text and "NL-NHTCU" not in text and f"#{mine.pk}" not in text
