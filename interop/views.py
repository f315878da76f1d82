"""Browser pages of STIX objects of every type: the list (by type, name or id), an object's
page (its properties, relationships both ways, versions, markings, shares), its revocation
and the withdrawal of its shares. Sharing goes through sharing's share dialog."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from common import tables
from common.confirm import confirmation
from interop import selectors
from interop.forms import ObjectFilterForm
from interop.tables import OBJECT_DEFAULT_SORT, OBJECT_SORTS, StixObjectTable
from sharing import selectors as sharing_selectors
from sharing import services
from sharing.models import StixObject
from sharing.objects import is_reference, references_of, type_choices, type_label
from sharing.stix import has_versions

PAGE_SIZE = 50
COUNT_CAP = 1000
# The same words whether the target is another agency's, withdrawn, revoked or unknown.
NOT_VISIBLE = gettext_lazy("not visible to you or not in CyberCoop")


@dataclass
class Ref:
    stix_id: str
    url: str | None


@dataclass
class Property:
    name: str
    refs: list[Ref] = field(default_factory=list)
    text: str = ""
    structured: bool = False


def _properties(body: dict[str, Any], targets: dict[str, str]) -> list[Property]:
    """The body's top-level properties for a table: references as links to what the reader
    may see, text as text, anything structured as indented JSON."""
    rows = []
    for name, value in body.items():
        if is_reference(name):
            values = [value] if isinstance(value, str) else list(value or [])
            refs = [Ref(str(v), targets.get(v) if isinstance(v, str) else None) for v in values]
            rows.append(Property(name, refs=refs))
        elif isinstance(value, str | int | float | bool) or value is None:
            rows.append(
                Property(name, text=json.dumps(value) if not isinstance(value, str) else value)
            )
        else:
            rows.append(
                Property(
                    name, text=json.dumps(value, indent=2, ensure_ascii=False), structured=True
                )
            )
    return rows


@login_required
@require_safe
def stix_object_list(request: HttpRequest) -> HttpResponse:
    form = ObjectFilterForm(request.GET)
    valid = form.is_valid()
    params = form.cleaned_data if valid else {"type": "", "q": ""}
    qs = sharing_selectors.stix_object_search(user=request.user, type=params["type"], q=params["q"])
    filtered = bool(params["type"] or params["q"])
    table = tables.paged(
        request,
        qs if valid else qs.none(),
        table_class=StixObjectTable,
        sorts=OBJECT_SORTS,
        default_sort=OBJECT_DEFAULT_SORT,
        size=PAGE_SIZE,
        count=COUNT_CAP if filtered and valid else False,
        label=_("Pages of STIX objects"),
    )
    if filtered or not valid:
        table.empty_action = (reverse("stix_object_list"), _("Clear the search"))
    context = {
        "table": table,
        "page": table.page,
        "form": form,
        "params": {"type": request.GET.get("type", ""), "q": request.GET.get("q", "")},
        "types": type_choices(),
        "can_import": sharing_selectors.managing_agencies(user=request.user).exists(),
    }
    return render(request, "interop/object_list.html", context, status=200 if valid else 400)


@login_required
@require_safe
def stix_object_detail(request: HttpRequest, pk: int) -> HttpResponse:
    stix_object = sharing_selectors.access_stix_object(user=request.user, pk=pk)
    owner_view = sharing_selectors.can_manage_stix_object(
        user=request.user, stix_object=stix_object
    )
    outgoing_ids = sorted({target for _, target in references_of(stix_object.body)})
    incoming = list(
        sharing_selectors.stix_references_to(user=request.user, stix_id=stix_object.stix_id)
    )
    targets = sharing_selectors.visible_targets(user=request.user, stix_ids=outgoing_ids)
    outgoing = [
        (r.property, Ref(r.target, targets.get(r.target)))
        for r in stix_object.references.order_by("property", "target")
    ]
    context = {
        "object": stix_object,
        "type_label": type_label(stix_object.type),
        "properties": _properties(stix_object.body, targets),
        "outgoing": outgoing,
        "incoming": [(r, type_label(r.source.type)) for r in incoming],
        "versions": selectors.stix_object_versions(stix_object=stix_object),
        "owner_view": owner_view,
        # Cyber observables and marking definitions have no versions: nothing to revoke.
        "can_revoke": owner_view and not stix_object.revoked and has_versions(stix_object.body),
        "shares": sharing_selectors.stix_object_shares(stix_object=stix_object)
        if owner_view
        else [],
        "not_visible": NOT_VISIBLE,
    }
    return render(request, "interop/object_detail.html", context)


def _name(stix_object: StixObject) -> str:
    return stix_object.name or stix_object.stix_id


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def stix_object_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """A confirmation page; its POST revokes the object."""
    stix_object = sharing_selectors.access_owned_stix_object(user=request.user, pk=pk)
    if not has_versions(stix_object.body):
        # No misleading confirmation ("sends the revoked version"): back to the object.
        messages.error(request, services.no_versions(stix_object))
        return redirect(stix_object)
    if request.method == "POST":
        try:
            services.stix_object_revoke(actor=request.user, stix_object=stix_object)
        except ValidationError as error:
            messages.error(request, "; ".join(error.messages))
        else:
            messages.success(
                request,
                _(
                    "%(name)s revoked; TAXII serves its revoked version and it is pushed to "
                    "every partner endpoint that received the object."
                )
                % {"name": _name(stix_object)},
            )
        return redirect(stix_object)
    name = _name(stix_object)
    return confirmation(
        request,
        title=_("Revoke %(name)s?") % {"name": name},
        effects=sharing_selectors.stix_object_revoke_effects(stix_object=stix_object),
        button=_("Revoke %(name)s") % {"name": name},
        cancel_url=stix_object.get_absolute_url(),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def stix_object_share_withdraw(request: HttpRequest, pk: int, share_pk: int) -> HttpResponse:
    """GET: what withdrawing the share does, to confirm; POST: withdraw it."""
    stix_object = sharing_selectors.access_owned_stix_object(user=request.user, pk=pk)
    share = sharing_selectors.access_stix_object_share(stix_object=stix_object, pk=share_pk)
    if request.method != "POST":
        return confirmation(
            request,
            title=_("Withdraw this share of %(name)s?") % {"name": _name(stix_object)},
            effects=sharing_selectors.share_withdraw_effects(share=share),
            button=_("Withdraw share"),
            cancel_url=stix_object.get_absolute_url(),
        )
    try:
        services.share_withdraw(actor=request.user, share=share)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(request, _("Share withdrawn; its recipients lost access."))
    return redirect(stix_object)
