"""Agency admin pages (members, invitations, keys and witnesses of the admin's own agency), a
member's own API keys, and the transparency page every member may read."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from agencies import lockouts, selectors, services, witnesses
from agencies.filters import InvitationFilter
from agencies.forms import (
    AcceptInvitationForm,
    AgencyDetailsForm,
    APIKeyForm,
    InvitationForm,
    MembershipRoleForm,
    WitnessForm,
)
from agencies.models import Invitation, Membership
from agencies.providers import roles_for
from agencies.second_factor import has_second_factor, session_passed_second_factor
from agencies.tables import (
    INVITATION_SORTS,
    MEMBER_DEFAULT_SORT,
    MEMBER_SORTS,
    InvitationTable,
    MemberTable,
)
from audit import checkpoints
from common import tables
from common.confirm import confirmation
from common.filters import filtered
from common.forms import apply_validation_error
from common.views import issue_with_secret

KEY_NEEDS_FACTOR = "Creating an API key needs a session confirmed with your second factor."
KEY_NEEDS_ENROLMENT = "Set up a second factor first: creating an API key needs one."
TRANSPARENCY_PAGE_CHECKPOINTS = 20


MEMBERS_PAGE_SIZE = 100
# The session key under which a new invitation's link waits for the page after the redirect.
NEW_INVITATION = "agencies.new_invitation"


def _members_page(
    request: HttpRequest, agency, invite_form=None, status=200, **extra
) -> HttpResponse:
    members = lockouts.with_lockouts(selectors.agency_members(agency=agency))
    # Filters by role and status; an unknown value is named on the page (400) and left out.
    unknown = []
    for field, label, choices in (
        ("role", _("Role"), Membership.Role),
        ("status", _("Status"), Membership.Status),
    ):
        value = request.GET.get(field, "")
        if value in choices.values:
            members = members.filter(**{field: value})
        elif value:
            unknown.append(tables.unknown_choice(label, value))
    table = tables.paged(
        request,
        members,
        table_class=MemberTable,
        sorts=MEMBER_SORTS,
        default_sort=MEMBER_DEFAULT_SORT,
        size=MEMBERS_PAGE_SIZE,
        count=True,
        label=_("Pages of members"),
        prefix="members_",
    )
    table.agency = agency
    table.roles = roles_for(agency)
    table.cool_off_minutes = lockouts.cool_off_minutes()
    invited = filtered(
        request, selectors.agency_invitations(agency=agency), InvitationFilter, prefix="inv"
    )
    invitations = tables.paged(
        request,
        invited.rows,
        table_class=InvitationTable,
        sorts=INVITATION_SORTS,
        default_sort="-sent",
        size=MEMBERS_PAGE_SIZE,
        count=True,
        label=_("Pages of invitations"),
        prefix="inv_",
    )
    if invited.active and not invitations.page.object_list:
        invitations.empty_action = (request.path, _("Clear the filters"))
    context = {
        "agency": agency,
        "members": table.page,
        "members_table": table,
        "member_filters": {k: request.GET.get(k, "") for k in ("role", "status")},
        "member_roles": Membership.Role.choices,
        "member_statuses": Membership.Status.choices,
        "filter_errors": unknown,
        "cool_off_minutes": lockouts.cool_off_minutes(),
        "invitations": invitations.page,
        "invitations_table": invitations,
        "invitation_filters": invited,
        "invite_form": invite_form or InvitationForm(agency=agency),
        "roles": roles_for(agency),
        **extra,
    }
    if (unknown or invited.errors) and status == 200:
        status = 400
    return render(request, "agencies/members.html", context, status=status)


def _field_label(name: str) -> str:
    """What a refusal calls a field: its label on the member and invitation models."""
    for model in (Membership, Invitation):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        return capfirst(str(getattr(field, "verbose_name", name)))
    return capfirst(name.replace("_", " "))


def _refused(request: HttpRequest, agency, error: ValidationError) -> HttpResponse:
    """The members page again, 400, with the refusal naming the field it is about."""
    if hasattr(error, "error_dict"):
        for field, field_messages in error.message_dict.items():
            messages.error(request, f"{_field_label(field)}: {' '.join(field_messages)}")
    else:
        messages.error(request, " ".join(error.messages))
    return _members_page(request, agency, status=400)


@login_required
def members(request: HttpRequest, code: str) -> HttpResponse:
    agency = selectors.access_admin_agency(user=request.user, code=code)
    # A new invitation's link is shown once, on the page the invite redirected to.
    new = request.session.pop(NEW_INVITATION, None)
    if new and new.get("agency") == agency.code:
        invitation = selectors.agency_invitations(agency=agency).filter(pk=new["pk"]).first()
        if invitation is not None:
            return _members_page(
                request, agency, new_invitation=invitation, invitation_link=new["link"]
            )
    return _members_page(request, agency)


@login_required
@require_POST
def invite(request: HttpRequest, code: str) -> HttpResponse:
    agency = selectors.access_admin_agency(user=request.user, code=code)
    form = InvitationForm(request.POST, agency=agency)
    if form.is_valid():
        try:
            invitation, token = services.invitation_create(
                actor=request.user, agency=agency, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            link = request.build_absolute_uri(reverse("invitation_accept", args=[token]))
            # Post/redirect/get: a reload of the page must not send a second invitation.
            request.session[NEW_INVITATION] = {
                "agency": agency.code,
                "pk": invitation.pk,
                "link": link,
            }
            messages.success(
                request, _("Invitation for %(email)s created.") % {"email": invitation.email}
            )
            return redirect("agency_members", code=agency.code)
    return _members_page(request, agency, invite_form=form, status=400)


@login_required
@require_POST
def member_role(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    agency = selectors.access_admin_agency(user=request.user, code=code)
    membership = selectors.access_membership(agency=agency, pk=pk)
    form = MembershipRoleForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(form.errors.as_data())
        membership = services.membership_update(
            actor=request.user, membership=membership, role=form.cleaned_data["role"]
        )
    except ValidationError as error:
        return _refused(request, agency, error)
    messages.success(request, f"{membership.user.username} is now {membership.get_role_display()}.")
    return redirect("agency_members", code=agency.code)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def member_status(request: HttpRequest, code: str, pk: int, status: str) -> HttpResponse:
    """POST: set the status; GET of a suspension: what it does, to confirm."""
    agency = selectors.access_admin_agency(user=request.user, code=code)
    membership = selectors.access_membership(agency=agency, pk=pk)
    if request.method != "POST":
        if status != "suspended":
            return HttpResponseNotAllowed(["POST"])
        return confirmation(
            request,
            title=_("Suspend %(user)s?") % {"user": membership.user.username},
            effects=selectors.suspension_effects(membership=membership),
            button=_("Suspend %(user)s") % {"user": membership.user.username},
            cancel_url=reverse("agency_members", args=[agency.code]),
        )
    try:
        services.membership_update(actor=request.user, membership=membership, status=status)
    except ValidationError as error:
        return _refused(request, agency, error)
    messages.success(request, f"{membership.user.username} is now {status}.")
    return redirect("agency_members", code=agency.code)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def invitation_revoke(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """GET: what revoking the invitation does, to confirm; POST: revoke it."""
    agency = selectors.access_admin_agency(user=request.user, code=code)
    invitation = selectors.access_invitation(agency=agency, pk=pk)
    if request.method != "POST":
        return confirmation(
            request,
            title=_("Revoke the invitation of %(email)s?") % {"email": invitation.email},
            effects=selectors.invitation_revoke_effects(invitation=invitation),
            button=_("Revoke invitation"),
            cancel_url=reverse("agency_members", args=[agency.code]),
        )
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except ValidationError as error:
        return _refused(request, agency, error)
    messages.success(request, f"Invitation of {invitation.email} revoked.")
    return redirect("agency_members", code=agency.code)


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_for_token(token)
    if invitation is None or not invitation.is_open:
        return render(request, "agencies/invitation_invalid.html", status=404)
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        try:
            if request.user.is_authenticated:
                services.invitation_accept(token=token, user=request.user)
            elif form.is_valid():
                membership = services.invitation_accept(token=token, **form.cleaned_data)
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            else:
                raise ValidationError({})
        except ValidationError as error:
            if error.messages:
                apply_validation_error(form, error)
        else:
            messages.success(request, f"Welcome to {invitation.agency.name}.")
            return redirect("home")
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "agencies/invitation_accept.html",
        {"invitation": invitation, "form": form},
        status=status,
    )


@login_required
@require_safe
def api_keys(request: HttpRequest, code: str) -> HttpResponse:
    """The agency's keys, for its admins to see and revoke (each member makes their own)."""
    agency = selectors.access_admin_agency(user=request.user, code=code)
    context = {"agency": agency, "keys": selectors.agency_api_keys(agency=agency)}
    return render(request, "agencies/api_keys.html", context)


@login_required
def my_api_keys(request: HttpRequest) -> HttpResponse:
    """A member's own keys; creating one needs a session that passed the second factor."""
    confirmed = session_passed_second_factor(request)
    if request.method == "POST" and not confirmed:
        if has_second_factor(request.user):
            messages.info(request, KEY_NEEDS_FACTOR)
            return redirect(f"{reverse('mfa_reauthenticate')}?next={reverse('my_api_keys')}")
        messages.warning(request, KEY_NEEDS_ENROLMENT)
        return redirect("mfa_index")
    issued = issue_with_secret(
        request,
        form=lambda data: APIKeyForm(data, user=request.user),
        issue=lambda data: services.api_key_issue(actor=request.user, user=request.user, **data),
        load=lambda pk: selectors.user_api_keys(user=request.user).filter(pk=pk).first(),
        session_key="agencies.new_api_key",
    )
    if issued.redirect:
        messages.success(request, _("Key created."))
        return redirect("my_api_keys")
    context = {
        "form": issued.form,
        "confirmed": confirmed,
        "new_key": issued.obj,
        "plaintext": issued.secret,
        "keys": selectors.user_api_keys(user=request.user),
    }
    return render(request, "agencies/my_api_keys.html", context, status=issued.status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def my_api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what revoking the key does, to confirm; POST: revoke it."""
    key = selectors.access_own_api_key(user=request.user, pk=pk)
    if request.method != "POST":
        return _confirm_key_revoke(request, key, reverse("my_api_keys"))
    services.api_key_revoke(actor=request.user, key=key)
    messages.success(request, f"Key {key.name} revoked.")
    return redirect("my_api_keys")


def _confirm_key_revoke(request: HttpRequest, key, cancel_url: str) -> HttpResponse:
    return confirmation(
        request,
        title=_("Revoke the key %(name)s?") % {"name": key.name},
        effects=selectors.api_key_revoke_effects(key=key),
        button=_("Revoke key"),
        cancel_url=cancel_url,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def api_key_revoke(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """GET: what revoking the key does, to confirm; POST: revoke it."""
    agency = selectors.access_admin_agency(user=request.user, code=code)
    key = selectors.access_api_key(agency=agency, pk=pk)
    if request.method != "POST":
        return _confirm_key_revoke(request, key, reverse("agency_api_keys", args=[agency.code]))
    services.api_key_revoke(actor=request.user, key=key)
    messages.success(request, f"Key {key.name} revoked.")
    return redirect("agency_api_keys", code=agency.code)


@login_required
@require_POST
def second_factor_policy(request: HttpRequest, code: str) -> HttpResponse:
    agency = selectors.access_admin_agency(user=request.user, code=code)
    required = request.POST.get("required") == "1"
    services.agency_require_second_factor(actor=request.user, agency=agency, required=required)
    if required:
        messages.success(request, "Every member now signs in with a second factor.")
    else:
        messages.success(request, "Only admins and reviewers must use a second factor now.")
    return redirect("agency_members", code=agency.code)


@login_required
@require_POST
def member_unlock(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    agency = selectors.access_admin_agency(user=request.user, code=code)
    membership = selectors.access_membership(agency=agency, pk=pk)
    lockouts.lockout_lift(actor=request.user, membership=membership)
    messages.success(request, f"{membership.user.username} may sign in again.")
    return redirect("agency_members", code=agency.code)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def witnesses_page(request: HttpRequest, code: str) -> HttpResponse:
    """The agency's witnesses: register one by pasting its verifier key; retire one."""
    agency = selectors.access_admin_agency(user=request.user, code=code)
    form = WitnessForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            witness = witnesses.witness_register(
                actor=request.user, agency=agency, **form.cleaned_data
            )
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"Witness {witness.name} registered.")
            return redirect("agency_witnesses", code=agency.code)
    context = {
        "agency": agency,
        "form": form,
        "witnesses": selectors.agency_witnesses(agency=agency),
    }
    return render(request, "agencies/witnesses.html", context, status=400 if form.is_bound else 200)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def witness_retire(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """A confirmation page; its POST retires the witness."""
    agency = selectors.access_admin_agency(user=request.user, code=code)
    witness = selectors.access_witness(agency=agency, pk=pk)
    if request.method == "POST":
        witnesses.witness_retire(actor=request.user, witness=witness)
        messages.success(request, f"Witness {witness.name} retired; its cosignatures stay.")
        return redirect("agency_witnesses", code=agency.code)
    return confirmation(
        request,
        title=_("Retire witness %(name)s?") % {"name": witness.name},
        effects=[
            _(
                "From now on the log refuses cosignatures of %(name)s (%(key)s). The "
                "cosignatures it already made stay on record."
            )
            % {"name": witness.name, "key": witness.verifier_key},
            _(
                "A retired key cannot be registered again: a witness that should resume "
                "needs a new key."
            ),
        ],
        button=_("Retire %(name)s") % {"name": witness.name},
        cancel_url=reverse("agency_witnesses", args=[agency.code]),
    )


@login_required
@require_safe
def transparency(request: HttpRequest) -> HttpResponse:
    """The log's verifier key and its latest checkpoints with who witnessed them."""
    try:
        verifier_key = str(checkpoints.verifier())
    except checkpoints.CheckpointRefused:
        verifier_key = ""
    context = {
        "verifier_key": verifier_key,
        "checkpoints": selectors.signed_checkpoints()[:TRANSPARENCY_PAGE_CHECKPOINTS],
        "administered": selectors.administered_agencies(user=request.user),
    }
    return render(request, "agencies/transparency.html", context)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def agency_details(request: HttpRequest, code: str) -> HttpResponse:
    """The agency's 24/7 contact point and central authority, for its admins."""
    agency = selectors.access_admin_agency(user=request.user, code=code)
    form = AgencyDetailsForm(request.POST if request.method == "POST" else None, agency=agency)
    if form.is_bound and form.is_valid():
        try:
            services.agency_details_update(actor=request.user, agency=agency, **form.cleaned_data)
        except ValidationError as error:
            apply_validation_error(form, error)
        else:
            messages.success(request, f"The details of {agency.code} are saved.")
            return redirect("agency_details", code=agency.code)
    status = 400 if form.is_bound else 200
    return render(request, "agencies/details.html", {"agency": agency, "form": form}, status=status)
