"""Service providers see nothing of the platform but what is addressed to them: not the cases,
JITs, notices, indicators, shares, correlations or TAXII collections of their country, their
regimes or the community; their members are liaisons or admins; their keys read and write."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.urls import URLResolver, get_resolver, reverse

from agencies import services
from agencies.models import TLP, Agency, APIKey, Membership
from agencies.providers import (
    LIAISON_ONLY_IN_PROVIDERS,
    PROVIDER_KEY_SCOPE,
    PROVIDER_NOT_RECIPIENT,
    PROVIDER_ROLE,
    closed_to_providers,
)
from agencies.selectors import agency_directory
from cases import jits
from cases.models import JointInvestigationTeam
from cases.selectors import cases_visible_to
from interop.selectors import collections_for
from notices import review
from notices import services as notice_services
from notices.selectors import notices_visible_to
from sharing import selectors as sharing_selectors
from sharing import services as sharing_services
from sharing.forms import ShareForm
from sharing.legal import community_agency_ids
from tests.cases.conftest import open_case
from tests.factories import AgencyFactory, make_member
from tests.notices.conftest import RED_DATA
from tests.sharing.conftest import add


@dataclass
class Provider:
    agency: Agency
    admin: object
    liaison: object


@pytest.fixture
def provider(world) -> Provider:
    """NordHost B.V., a hosting company in NL (so in the EU regime, like the partner)."""
    agency = AgencyFactory(
        code="NL-HOSTCO",
        name="NordHost B.V.",
        country=world.partner.agency.country,
        kind=Agency.Kind.SERVICE_PROVIDER,
    )
    return Provider(
        agency=agency,
        admin=make_member(agency, "hostco_admin", Membership.Role.AGENCY_ADMIN),
        liaison=make_member(agency, "hostco_liaison", Membership.Role.PROVIDER_LIAISON),
    )


def _jit(world) -> JointInvestigationTeam:
    case = open_case(world.owner)
    return jits.jit_create(
        actor=world.owner.investigator,
        case=case,
        name="Nightjar JIT",
        legal_basis=JointInvestigationTeam.LegalBasis.EU_JIT,
    )


# --- groups ---------------------------------------------------------------------------------


def test_a_providers_members_are_in_its_agency_group_and_in_no_jurisdiction_group(provider):
    names = set(provider.liaison.groups.values_list("name", flat=True))
    assert names == {"agency:NL-HOSTCO"}


def test_a_partner_agency_of_the_same_country_is_in_the_jurisdiction_groups(world, provider):
    names = set(world.partner.investigator.groups.values_list("name", flat=True))
    assert {"jurisdiction:NL", "jurisdiction:EU"} <= names


# --- nothing granted to NL, the EU or every agency reaches a provider -------------------------


def test_a_case_of_a_jit_with_an_nl_agency_is_404_for_the_liaison(world, provider, client_for):
    jit = _jit(world)
    membership = jits.jit_invite(
        actor=world.owner.investigator, jit=jit, agency=world.partner.agency
    )
    jits.jit_respond(actor=world.partner.admin, membership=membership, accept=True)
    case = jit.case
    assert cases_visible_to(user=world.partner.investigator).filter(pk=case.pk).exists()
    assert not cases_visible_to(user=provider.liaison).filter(pk=case.pk).exists()
    client = client_for(provider.liaison)
    assert client.get(reverse("cases:detail", args=[case.pk])).status_code == 404
    assert client.get(reverse("cases:list")).status_code == 404
    assert client.get(reverse("cases:jit-detail", args=[jit.pk])).status_code == 404


def test_the_jit_invitation_of_a_provider_is_refused_naming_the_agency(world, provider):
    jit = _jit(world)
    message = PROVIDER_NOT_RECIPIENT.format(agency="NL-HOSTCO", what="JIT invitations")
    with pytest.raises(ValidationError, match=re.escape(message)):
        jits.jit_invite(actor=world.owner.investigator, jit=jit, agency=provider.agency)
    assert not jit.memberships.filter(agency=provider.agency).exists()


def test_the_jit_invitation_form_does_not_offer_providers(world, provider, client_for):
    jit = _jit(world)
    page = client_for(world.owner.investigator).get(reverse("cases:jit-detail", args=[jit.pk]))
    assert page.status_code == 200
    assert "NL-NHTCU" in page.content.decode()
    assert "NL-HOSTCO" not in page.content.decode()


def test_an_indicator_shared_with_nl_the_eu_and_the_community_stays_unseen_by_the_liaison(
    world, provider, eu_agreement, client_for
):
    (ind,) = add(world.owner, ("domain", "c2.example"), tlp=TLP.GREEN)
    nl = world.partner.agency.country
    eu = nl.regimes.get(code="EU")
    sharing_services.indicator_share(
        actor=world.owner.investigator,
        indicators=[ind],
        spec=sharing_services.ShareSpec(jurisdictions=[nl, eu], community=True),
    )
    assert sharing_selectors.indicators_visible_to(user=world.partner.analyst).filter(pk=ind.pk)
    assert not sharing_selectors.indicators_visible_to(user=provider.liaison).filter(pk=ind.pk)
    assert provider.agency.pk not in community_agency_ids(world.owner.agency)
    client = client_for(provider.liaison)
    assert client.get(reverse("indicator_detail", args=[ind.pk])).status_code == 404
    assert client.get(reverse("indicator_list")).status_code == 404
    assert client.get(reverse("correlations")).status_code == 404


def test_sharing_with_a_provider_is_refused_naming_it(world, provider, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.10"))
    message = PROVIDER_NOT_RECIPIENT.format(agency="NL-HOSTCO", what="shares")
    with pytest.raises(ValidationError, match=re.escape(message)):
        sharing_services.indicator_share(
            actor=world.owner.investigator,
            indicators=[ind],
            spec=sharing_services.ShareSpec(agencies=[provider.agency]),
        )
    assert not sharing_selectors.indicators_visible_to(user=provider.liaison).filter(pk=ind.pk)


def test_a_liaison_named_on_a_red_share_is_refused(world, provider, eu_agreement):
    (ind,) = add(world.owner, ("ipv4", "192.0.2.11"), tlp=TLP.RED)
    with pytest.raises(ValidationError, match="user hostco_liaison \\(no agency\\)"):
        sharing_services.indicator_share(
            actor=world.owner.investigator,
            indicators=[ind],
            spec=sharing_services.ShareSpec(users=[provider.liaison]),
        )


def test_share_recipients_offered_exclude_providers(world, provider):
    form = ShareForm(jits=JointInvestigationTeam.objects.none(), agreements=None)
    codes = {a.code for a in form.fields["agencies"].queryset}
    assert "NL-NHTCU" in codes and "NL-HOSTCO" not in codes


def _red_notice(world, **recipients):
    notice = notice_services.notice_create(
        actor=world.owner.investigator,
        agency=world.owner.agency,
        notice_type="RED",
        data=dict(RED_DATA),
        **recipients,
    )
    notice_services.notice_submit(actor=world.owner.investigator, notice=notice)
    review.notice_review(
        actor=world.reviewer,
        notice=notice,
        decision="publish",
        art3_neutrality=True,
        art2_human_rights=True,
        minimum_data=True,
    )
    return notice


def test_a_notice_published_to_every_agency_is_404_for_the_liaison(world, provider, client_for):
    notice = _red_notice(world)
    assert notices_visible_to(user=world.partner.investigator).filter(pk=notice.pk).exists()
    assert not notices_visible_to(user=provider.liaison).filter(pk=notice.pk).exists()
    client = client_for(provider.liaison)
    assert client.get(reverse("notice_detail", args=[notice.pk])).status_code == 404
    assert client.get(reverse("notice_list")).status_code == 404


def test_a_notice_published_to_nl_is_unseen_by_the_liaison(world, provider):
    notice = _red_notice(world, recipient_jurisdictions=[world.partner.agency.country])
    assert notices_visible_to(user=world.partner.investigator).filter(pk=notice.pk).exists()
    assert not notices_visible_to(user=provider.liaison).filter(pk=notice.pk).exists()


def test_a_diffusion_to_a_provider_is_refused_naming_the_field(world, provider):
    message = PROVIDER_NOT_RECIPIENT.format(agency="NL-HOSTCO", what="notices")
    with pytest.raises(ValidationError, match=re.escape(message)) as info:
        notice_services.notice_create(
            actor=world.owner.investigator,
            agency=world.owner.agency,
            notice_type="DIFFUSION",
            data={},
            recipient_agencies=[provider.agency],
        )
    assert "recipient_agencies" in info.value.message_dict


# --- REST and TAXII -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/cases/",
        "/api/v1/jits/",
        "/api/v1/notices/",
        "/api/v1/indicators/",
        "/api/v1/stix/export/",
        "/api/v1/access-requests/",
    ],
)
def test_the_rest_api_of_cases_notices_indicators_and_stix_is_404_for_a_provider_key(
    world, provider, api_client_for, url
):
    client = api_client_for(provider.liaison, provider.agency)
    assert client.get(url).status_code == 404
    assert client.get("/api/v1/me/").status_code == 200


def test_the_rest_api_is_404_for_a_liaisons_session_too(world, provider, client_for):
    client = client_for(provider.liaison)
    assert client.get("/api/v1/cases/").status_code == 404
    assert client.get("/api/v1/me/").status_code == 200


def test_taxii_is_404_for_a_provider_key(world, provider):
    key = APIKey.objects.create(
        user=provider.liaison,
        agency=provider.agency,
        name="legacy key",
        prefix="abcdef123456",
        key_hash=services.hash_token("cc_abcdef123456_secret"),
        scopes=["read", "taxii", "ingest"],
    )
    headers = {
        "HTTP_AUTHORIZATION": "Bearer cc_abcdef123456_secret",
        "HTTP_ACCEPT": "application/taxii+json;version=2.1",
    }
    from django.test import Client

    client = Client()
    for url in ("/taxii2/", "/taxii2/cybercoop/collections/"):
        response = client.get(url, **headers)
        assert response.status_code == 404, url
    assert key.scopes == ["read", "taxii", "ingest"]


def test_a_provider_key_cannot_get_the_taxii_or_ingest_scope(world, provider):
    for scope in ("taxii", "ingest"):
        with pytest.raises(ValidationError, match=PROVIDER_KEY_SCOPE) as info:
            services.api_key_issue(
                actor=provider.liaison,
                agency=provider.agency,
                user=provider.liaison,
                name="k",
                scopes=["read", scope],
            )
        assert "scopes" in info.value.message_dict
    key, _ = services.api_key_issue(
        actor=provider.liaison,
        agency=provider.agency,
        user=provider.liaison,
        name="k",
        scopes=["read", "write"],
    )
    assert key.scopes == ["read", "write"]


def test_the_directory_shows_a_provider_only_its_own_agency(world, provider, api_client_for):
    codes = {a.code for a in agency_directory(user=provider.liaison)}
    assert codes == {"NL-HOSTCO"}
    response = api_client_for(provider.liaison, provider.agency).get("/api/v1/agencies/")
    assert [a["code"] for a in response.json()["results"]] == ["NL-HOSTCO"]
    assert "DE-BKA" in {a.code for a in agency_directory(user=world.partner.investigator)}


# --- roles ----------------------------------------------------------------------------------


def test_a_provider_invites_liaisons_and_admins_only(world, provider):
    invitation, _ = services.invitation_create(
        actor=provider.admin,
        agency=provider.agency,
        email="l2@nordhost.example",
        role="provider_liaison",
    )
    assert invitation.role == "provider_liaison"
    with pytest.raises(ValidationError, match=re.escape(PROVIDER_ROLE)) as info:
        services.invitation_create(
            actor=provider.admin,
            agency=provider.agency,
            email="inv@nordhost.example",
            role="investigator",
        )
    assert "role" in info.value.message_dict


def test_provider_liaison_is_refused_outside_providers(world):
    with pytest.raises(ValidationError, match=re.escape(LIAISON_ONLY_IN_PROVIDERS)):
        services.invitation_create(
            actor=world.owner.admin,
            agency=world.owner.agency,
            email="x@bka.example",
            role="provider_liaison",
        )
    with pytest.raises(ValidationError, match=re.escape(LIAISON_ONLY_IN_PROVIDERS)):
        services.membership_update(
            actor=world.owner.admin,
            membership=Membership.objects.get(user=world.owner.investigator),
            role="provider_liaison",
        )


def test_a_providers_members_page_offers_liaison_and_admin_only(provider, client_for):
    page = client_for(provider.admin).get(reverse("agency_members", args=["NL-HOSTCO"]))
    assert page.status_code == 200
    form_roles = [value for value, _ in page.context["invite_form"].fields["role"].choices]
    assert form_roles == ["agency_admin", "provider_liaison"]
    assert [value for value, _ in page.context["roles"]] == form_roles


def test_a_police_agencys_members_page_does_not_offer_liaison(world, client_for):
    page = client_for(world.owner.admin).get(reverse("agency_members", args=["DE-BKA"]))
    assert "provider_liaison" not in [
        v for v, _ in page.context["invite_form"].fields["role"].choices
    ]


def test_inviting_an_investigator_into_a_provider_is_a_field_error(provider, client_for):
    response = client_for(provider.admin).post(
        reverse("agency_invite", args=["NL-HOSTCO"]),
        {"email": "x@nordhost.example", "role": "investigator"},
    )
    assert response.status_code == 400
    assert response.context["invite_form"].errors["role"]


# --- navigation and home ------------------------------------------------------------------


def test_the_liaisons_home_names_the_provider_and_links_to_its_requests_only(provider, client_for):
    page = client_for(provider.liaison).get(reverse("home"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "NordHost B.V." in text
    assert text.count(f'href="{reverse("assistance:inbox")}"') == 2  # navigation and home
    for url in (reverse("cases:list"), reverse("notice_list"), reverse("indicator_list")):
        assert f'href="{url}"' not in text


def test_an_investigators_navigation_still_links_to_cases(world, client_for):
    text = client_for(world.owner.investigator).get(reverse("home")).content.decode()
    assert f'href="{reverse("cases:list")}"' in text


def test_an_agency_does_not_become_a_provider_nor_stop_being_one(world, provider):
    for code, kind in (
        ("NL-NHTCU", Agency.Kind.SERVICE_PROVIDER),
        ("NL-HOSTCO", Agency.Kind.POLICE),
    ):
        with pytest.raises(ValidationError, match="Create a new agency instead") as info:
            services.agency_upsert(code=code, kind=kind)
        assert "kind" in info.value.message_dict
    assert Agency.objects.get(code="NL-NHTCU").kind == Agency.Kind.POLICE
    renamed = services.agency_upsert(code="NL-HOSTCO", name="NordHost Europe B.V.")
    assert renamed.is_service_provider


def test_the_jit_invitations_inbox_is_404_for_a_providers_admin(provider, client_for):
    assert client_for(provider.admin).get(reverse("cases:inbox")).status_code == 404
    assert (
        client_for(provider.admin).get(reverse("agency_members", args=["NL-HOSTCO"])).status_code
        == 200
    )


def test_a_member_of_a_provider_and_a_police_agency_keeps_the_police_view(
    world, provider, client_for, api_client_for
):
    make_member_of = services.membership_set
    make_member_of(
        actor=None,
        agency=provider.agency,
        user=world.partner.investigator,
        role=Membership.Role.PROVIDER_LIAISON,
    )
    assert client_for(world.partner.investigator).get(reverse("cases:list")).status_code == 200
    as_provider = api_client_for(world.partner.investigator, provider.agency)
    assert as_provider.get("/api/v1/cases/").status_code == 404
    as_police = api_client_for(world.partner.investigator, world.partner.agency)
    assert as_police.get("/api/v1/cases/").status_code == 200


def test_a_liaisons_api_key_form_offers_read_and_write_only(provider, client_for):
    page = client_for(provider.liaison).get(reverse("my_api_keys"))
    offered = [value for value, _ in page.context["form"].fields["scopes"].choices]
    assert offered == ["read", "write"]


def test_a_provider_has_no_taxii_collections(provider):
    assert collections_for(agency=provider.agency) == []


def _patterns(resolver=None, prefix=""):
    """(route, callback) of every URL pattern, nested includes flattened."""
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


CLOSED_APPS = ("cases.", "notices.", "sharing.", "interop.")


def test_every_view_of_cases_notices_sharing_and_interop_is_closed_to_providers():
    closed = [(route, cb) for route, cb in _patterns() if cb.__module__.startswith(CLOSED_APPS)]
    assert len(closed) > 40
    assert all(closed_to_providers(cb) for _, cb in closed)
    opened = [route for route, cb in _patterns() if cb.__module__.startswith("agencies.")]
    assert opened and not any(
        closed_to_providers(cb) for route, cb in _patterns() if route in opened
    )


def test_every_parameterless_page_and_endpoint_of_those_apps_is_404_for_a_liaison(
    provider, client_for, api_client_for
):
    routes = [
        "/" + route
        for route, cb in _patterns()
        if cb.__module__.startswith(CLOSED_APPS) and "<" not in route and "(" not in route
    ]
    assert "/cases/" in routes and "/api/v1/indicators/" in routes
    session = client_for(provider.liaison)
    key = api_client_for(provider.liaison, provider.agency)
    for route in routes:
        if route.startswith("/taxii2/"):
            continue  # TAXII's own door: test_taxii_is_404_for_a_provider_key
        assert session.get(route).status_code == 404, route
        if route.startswith("/api/") and not route.startswith("/api/v1/public/"):
            # public extracts are anyone's, with or without a key: the key is not read there
            assert key.get(route).status_code == 404, route
