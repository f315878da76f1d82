"""A share's recipients and legal bases read in the reader's language, in the preview and on
the indicator page, while the share keeps its record as made: its words in English beside the
codes they are written from, whoever made it in whichever language."""

from __future__ import annotations

import html

from django.utils import translation

from agencies.models import Jurisdiction
from sharing import services
from sharing.models import Share
from tests.sharing.conftest import add

FR = {"HTTP_ACCEPT_LANGUAGE": "fr"}
EU_LAW_FR = "Droit de l'UE (règlement Europol / directive 2016/680 / Prüm)"
EU_LAW = "EU law (Europol Regulation / Directive 2016/680 / Prüm)"
# The French of the new words (ahead of the catalogues).
FRENCH = {
    "jurisdiction %(name)s": "juridiction %(name)s",
    "same jurisdiction (%(country)s)": "même juridiction (%(country)s)",
    "%(name)s (%(basis)s)": "%(name)s (%(basis)s)",
}


def test_a_french_reader_previews_recipients_and_bases_in_french(
    world, eu_agreement, client_for, catalogue
):
    catalogue("fr", FRENCH)
    (indicator,) = add(world.owner, ("ipv4", "192.0.2.91"))
    eu = Jurisdiction.objects.get(code="EU")
    home = world.owner.agency.country
    client = client_for(world.owner.investigator)
    preview = client.post(
        f"/indicators/share/?ids={indicator.pk}",
        {"jurisdictions": [eu.pk, home.pk], "action": "preview"},
        **FR,
    )
    assert preview.status_code == 200, preview.content[:400]
    text = html.unescape(preview.content.decode())
    assert f"<td>juridiction EU</td><td>EU law enforcement exchange ({EU_LAW_FR})</td>" in text
    assert f"<td>juridiction {home.code}</td><td>même juridiction ({home.code})</td>" in text
    assert "jurisdiction EU" not in text and "same jurisdiction" not in text


def test_a_share_made_in_french_keeps_its_record_in_english_with_its_codes(
    world, eu_agreement, catalogue
):
    catalogue("fr", FRENCH)
    (indicator,) = add(world.owner, ("ipv4", "192.0.2.92"))
    with translation.override("fr"):
        share = services.indicator_share(
            actor=world.owner.investigator,
            indicators=[indicator],
            spec=services.ShareSpec(agencies=[world.partner.agency]),
        )
    share.refresh_from_db()
    assert share.legal_basis == [
        {
            "recipient": world.partner.agency.code,
            "basis": f"EU law enforcement exchange ({EU_LAW})",
            "agreement": eu_agreement.pk,
            "kind": "agency",
            "name": world.partner.agency.code,
            "terms": {
                "kind": "agreement",
                "name": "EU law enforcement exchange",
                "basis": "eu",
                "reference": eu_agreement.reference,
            },
        }
    ]


def test_the_owner_reads_a_share_made_in_english_in_french_on_the_indicator_page(
    world, eu_agreement, client_for
):
    (indicator,) = add(world.owner, ("ipv4", "192.0.2.93"))
    services.indicator_share(
        actor=world.owner.investigator,
        indicators=[indicator],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    page = client_for(world.owner.investigator).get(indicator.get_absolute_url(), **FR)
    text = html.unescape(page.content.decode())
    assert f"{world.partner.agency.code}: EU law enforcement exchange ({EU_LAW_FR})" in text
    assert EU_LAW not in text


def test_a_share_stored_before_its_codes_reads_as_stored(world, eu_agreement, client_for):
    (indicator,) = add(world.owner, ("ipv4", "192.0.2.94"))
    share = services.indicator_share(
        actor=world.owner.investigator,
        indicators=[indicator],
        spec=services.ShareSpec(agencies=[world.partner.agency]),
    )
    old = [
        {"recipient": "NL-NHTCU", "basis": "EU law enforcement exchange (EU law)", "agreement": 1}
    ]
    Share.objects.filter(pk=share.pk).update(legal_basis=old)
    text = client_for(world.owner.investigator).get(indicator.get_absolute_url(), **FR)
    assert "NL-NHTCU: EU law enforcement exchange (EU law)" in text.content.decode()
