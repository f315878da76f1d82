"""Browser pages: indicator list/search, add and bulk paste, detail, the share dialog,
partner endpoint management and the delivery dashboard."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from agencies.models import Agency, SharingAgreement
from agencies.selectors import access_admin_agency
from cases.selectors import jits_visible_to
from common import charts, tables
from common import filters as list_filters
from common.confirm import carried_over, confirmation
from common.forms import apply_validation_error
from common.views import issue_with_secret
from sharing import bulk, delivery, legal, selectors, services
from sharing.filters import DeliveryFilter
from sharing.forms import EndpointForm, IndicatorAddForm, ShareForm
from sharing.models import TLP, IndicatorType
from sharing.objects import type_label
from sharing.tables import (
    DELIVERY_DEFAULT_SORT,
    DELIVERY_SORTS,
    INDICATOR_DEFAULT_SORT,
    INDICATOR_SORTS,
    DeliveryTable,
    IndicatorTable,
)

PAGE_SIZE = 50
REFERRERS_SHOWN = 100
INDICATOR_FILTERS = ("q", "type", "tlp")
# "Share all matching" resolves the filter to at most this many of the caller's indicators.
SHARE_ALL_MAX = 10_000
NOTHING_SELECTED = gettext_lazy(
    "Nothing was selected: tick the indicators to share, or select all matching."
)
TOO_MANY = gettext_lazy("More than %(max)s indicators match: narrow the search, then share them.")


def _carried_filters(request: HttpRequest) -> dict[str, str]:
    """The list's filter as the share dialog received it (query string, then its form)."""
    return {k: (request.GET.get(k) or request.POST.get(k) or "").strip() for k in INDICATOR_FILTERS}


def _back_to_list(request: HttpRequest) -> str:
    """The indicator list with the filter the request carried (never an outside address)."""
    params = _carried_filters(request)
    query = urlencode({k: v for k, v in params.items() if v})
    return reverse("indicator_list") + (f"?{query}" if query else "")


def _indicator_filters(request: HttpRequest) -> dict[str, str]:
    return {k: request.GET.get(k, "").strip() for k in INDICATOR_FILTERS}


@login_required
def indicator_list(request: HttpRequest) -> HttpResponse:
    params = _indicator_filters(request)
    errors = []
    for field, label, choices in (
        ("type", _("Type"), IndicatorType.values),
        ("tlp", _("TLP"), TLP.values),
    ):
        if params[field] and params[field] not in choices:
            errors.append(tables.unknown_choice(label, params[field]))
            params[field] = ""
    qs = selectors.indicator_search(
        user=request.user, q=params["q"], type=params["type"], tlp=params["tlp"]
    )
    # Unfiltered, the page is driven from the grant indexes (a filter narrows the id scan);
    # a total is counted (up to a cap) only under a filter, never over everything visible.
    filtered = any(params.values())
    table = tables.paged(
        request,
        qs,
        table_class=IndicatorTable,
        sorts=INDICATOR_SORTS,
        default_sort=INDICATOR_DEFAULT_SORT,
        size=PAGE_SIZE,
        window=None if filtered else selectors.indicators_window(user=request.user),
        count=SHARE_ALL_MAX if filtered else False,
        label=_("Pages of indicators"),
    )
    can_add = selectors.managing_agencies(user=request.user).exists()
    if filtered:
        table.empty_action = (reverse("indicator_list"), _("Clear the search"))
    elif can_add:
        table.empty_action = (reverse("indicator_add"), _("Add indicators"))
    context = {
        "table": table,
        "page": table.page,
        "params": params,
        "filtered": filtered,
        "types": IndicatorType.choices,
        "tlps": TLP.choices,
        "can_add": can_add,
        "errors": errors,
    }
    status = 400 if errors else 200
    return render(request, "sharing/indicator_list.html", context, status=status)


@login_required
def indicator_add(request: HttpRequest) -> HttpResponse:
    agencies = selectors.managing_agencies(user=request.user)
    if not agencies.exists():
        raise Http404
    form = IndicatorAddForm(
        request.POST or None,
        request.FILES or None,
        agencies=agencies,
        initial={"agency": agencies.first()},
    )
    report: list[dict[str, Any]] = []
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            defaults = {
                "tlp": data["tlp"],
                "pap": data["pap"],
                "handling_code": data["handling_code"],
                "confidence": data["confidence"],
                "description": data["description"],
                "labels": [x.strip() for x in data["labels"].split(",") if x.strip()],
            }
            if bulk.is_large(data["values"]):
                job_id = bulk.job_start(
                    actor=request.user,
                    agency=data["agency"],
                    values=data["values"],
                    type=data["type"],
                    defaults=defaults,
                )
                return redirect("bulk_job", job_id=job_id)
            items, errors = bulk.parse_paste(data["values"], data["type"])
            rows = bulk.paste_ingest(
                actor=request.user, agency=data["agency"], items=items, defaults=defaults
            )
            rows = sorted(rows + errors, key=lambda r: r["line"])
            added = sum(1 for r in rows if r["status"] == bulk.ADDED)
            messages.success(
                request,
                _("%(added)s added, %(other)s not added (see the report below).")
                % {"added": added, "other": len(rows) - added},
            )
            # Post/redirect/get: the report is kept (as a finished job's) for the page after
            # the redirect, so a reload does not paste the list a second time.
            report_id = bulk.report_keep(actor=request.user, agency=data["agency"], rows=rows)
            return redirect(f"{reverse('indicator_add')}?{urlencode({'report': report_id})}")
        status = 400
    elif request.GET.get("report"):
        # The report of the paste this member just added (404 for anyone else's).
        bulk.access_job(user=request.user, job_id=request.GET["report"])
        report = bulk.with_words(bulk.job_report(request.GET["report"]))
    return render(
        request, "sharing/indicator_add.html", {"form": form, "report": report}, status=status
    )


@login_required
def indicator_detail(request: HttpRequest, pk: int) -> HttpResponse:
    indicator = selectors.access_indicator(user=request.user, pk=pk)
    owner_view = selectors.can_manage_indicator(user=request.user, indicator=indicator)
    shares = selectors.indicator_shares(indicator=indicator) if owner_view else []
    case_visible = bool(selectors.visible_case_ids(user=request.user, indicators=[indicator]))
    referrers = selectors.stix_references_to(user=request.user, stix_id=indicator.stix_id)
    context = {
        "indicator": indicator,
        "referrers": referrers[:REFERRERS_SHOWN],
        "owner_view": owner_view,
        "shares": shares,
        "case_visible": case_visible,
    }
    return render(request, "sharing/indicator_detail.html", context)


def _share_form(request: HttpRequest) -> ShareForm:
    agreements = SharingAgreement.objects.filter(pk__in=[a.pk for a in legal.agreements_in_force()])
    return ShareForm(
        request.POST or None,
        jits=jits_visible_to(user=request.user),
        agreements=agreements,
    )


def _ids(request: HttpRequest, name: str) -> list[int]:
    values = request.GET.getlist(name) + request.POST.getlist(name)
    return [int(x) for x in values if x.isascii() and x.isdigit()]


def _matching_owned(request: HttpRequest) -> list[int]:
    """For "select all matching" on the list: the ids of the caller's own indicators under
    the filter the list carried (``all=1`` with ``q``, ``type``, ``tlp``), at most one more
    than ``SHARE_ALL_MAX``."""
    params = _carried_filters(request)
    owned = selectors.indicator_search(
        user=request.user, q=params["q"], type=params["type"], tlp=params["tlp"]
    ).filter(owner__in=selectors.managing_agencies(user=request.user))
    return list(owned.order_by("-id").values_list("pk", flat=True)[: SHARE_ALL_MAX + 1])


@login_required
def indicator_share(request: HttpRequest) -> HttpResponse:
    """The share dialog for indicators (``ids``, or ``all`` the caller's own under the list's
    filter) and STIX objects of any type (``objects``): choose recipients, preview who receives
    under which basis, share."""
    ids, object_ids = _ids(request, "ids"), _ids(request, "objects")
    share_all = (request.GET.get("all") or request.POST.get("all")) == "1"
    if share_all:
        ids = _matching_owned(request)
        if len(ids) > SHARE_ALL_MAX:
            messages.warning(request, TOO_MANY % {"max": SHARE_ALL_MAX})
            return redirect(_back_to_list(request))
    if not ids and not object_ids:
        messages.warning(request, NOTHING_SELECTED)
        return redirect(_back_to_list(request))
    indicators = list(selectors.indicators_visible_to(user=request.user).filter(pk__in=ids))
    objects = list(selectors.stix_objects_visible_to(user=request.user).filter(pk__in=object_ids))
    if (
        not (indicators or objects)
        or len(indicators) != len(set(ids))
        or len(objects) != len(set(object_ids))
    ):
        raise Http404
    managed = all(
        selectors.can_manage_indicator(user=request.user, indicator=i) for i in indicators
    ) and all(selectors.can_manage_stix_object(user=request.user, stix_object=o) for o in objects)
    if not managed:
        raise PermissionDenied(_(services.NOT_OWNER))
    form = _share_form(request)
    preview = None
    status = 200
    if request.method == "POST" and form.is_valid():
        spec = form.spec()
        try:
            if request.POST.get("action") == "share":
                share = services.indicator_share(
                    actor=request.user, indicators=indicators, objects=objects, spec=spec
                )
                messages.success(
                    request,
                    _(
                        "Shared %(items)s item(s); %(deliveries)s deliveries queued to partner "
                        "endpoints."
                    )
                    % {
                        "items": len(indicators) + len(objects),
                        "deliveries": share.deliveries.count(),
                    },
                )
                return redirect((indicators or objects)[0].get_absolute_url())
            preview = services.share_preview(
                actor=request.user, indicators=indicators, objects=objects, spec=spec
            )
        except ValidationError as error:
            apply_validation_error(form, error)
    if request.method == "POST" and form.errors:
        status = 400
    recipients = []
    if preview is not None:
        recipients = list(
            Agency.objects.filter(pk__in=preview.agency_ids)
            .annotate(
                endpoints=Count("partner_endpoints", filter=Q(partner_endpoints__active=True))
            )
            .order_by("code")
        )
    context = {
        "indicators": indicators,
        "objects": objects,
        "form": form,
        "preview": preview,
        "recipients": recipients,
        "ids": [] if share_all else ids,
        "object_ids": object_ids,
        "share_all": share_all,
        "filters": {
            k: (request.GET.get(k) or request.POST.get(k) or "") for k in INDICATOR_FILTERS
        },
    }
    return render(request, "sharing/share.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def share_withdraw(request: HttpRequest, pk: int, share_pk: int) -> HttpResponse:
    """GET: what withdrawing the share does, to confirm; POST: withdraw it."""
    indicator = selectors.access_owned_indicator(user=request.user, pk=pk)
    share = selectors.access_share(indicator=indicator, pk=share_pk)
    if request.method != "POST":
        return confirmation(
            request,
            title=_("Withdraw this share of %(value)s?") % {"value": indicator.value},
            effects=selectors.share_withdraw_effects(share=share),
            button=_("Withdraw share"),
            cancel_url=indicator.get_absolute_url(),
        )
    try:
        services.share_withdraw(actor=request.user, share=share)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(
            request, _("Share withdrawn; recipients lost access and tombstones are queued.")
        )
    return redirect("indicator_detail", pk=indicator.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def indicator_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what revoking the indicator does, to confirm; POST: revoke it."""
    indicator = selectors.access_owned_indicator(user=request.user, pk=pk)
    if request.method != "POST":
        return confirmation(
            request,
            title=_("Revoke %(value)s?") % {"value": indicator.value},
            effects=selectors.indicator_revoke_effects(indicator=indicator),
            button=_("Revoke indicator"),
            cancel_url=indicator.get_absolute_url(),
        )
    try:
        services.indicator_revoke(actor=request.user, indicator=indicator)
    except ValidationError as error:
        messages.error(request, "; ".join(error.messages))
    else:
        messages.success(
            request, _("Indicator revoked; tombstones are queued to every endpoint that got it.")
        )
    return redirect("indicator_detail", pk=indicator.pk)


# --- partner endpoints and deliveries (agency admins) ----------------------------------------


@login_required
def endpoints(request: HttpRequest, code: str) -> HttpResponse:
    agency = access_admin_agency(user=request.user, code=code)
    issued = issue_with_secret(
        request,
        form=EndpointForm,
        issue=lambda data: services.endpoint_create(actor=request.user, agency=agency, **data),
        load=lambda pk: agency.partner_endpoints.filter(pk=pk).first(),
        session_key=f"sharing.new_endpoint.{agency.code}",
    )
    if issued.redirect:
        messages.success(request, _("Endpoint registered."))
        return redirect("sharing_endpoints", code=agency.code)
    context = {
        "agency": agency,
        "form": issued.form,
        "new_endpoint": issued.obj,
        "secret": issued.secret,
        "endpoints": [
            (endpoint, [type_label(kind) for kind in endpoint.object_types])
            for endpoint in agency.partner_endpoints.all()
        ],
    }
    return render(request, "sharing/endpoints.html", context, status=issued.status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def endpoint_active(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    """POST: activate or deactivate; GET (deactivation only): what it does, to confirm."""
    agency = access_admin_agency(user=request.user, code=code)
    endpoint = selectors.access_endpoint(user=request.user, pk=pk)
    if endpoint.agency_id != agency.pk:
        raise Http404
    if request.method != "POST":
        if request.GET.get("active") != "0":
            return HttpResponseNotAllowed(["POST"])
        return confirmation(
            request,
            title=_("Deactivate %(name)s?") % {"name": endpoint.name},
            effects=selectors.endpoint_deactivate_effects(endpoint=endpoint),
            button=_("Deactivate %(name)s") % {"name": endpoint.name},
            cancel_url=reverse("sharing_endpoints", args=[agency.code]),
            form=carried_over(request.GET),
        )
    active = request.POST.get("active") == "1"
    services.endpoint_update(actor=request.user, endpoint=endpoint, active=active)
    if active:
        messages.success(request, _("%(name)s is now active.") % {"name": endpoint.name})
    else:
        messages.success(request, _("%(name)s is now inactive.") % {"name": endpoint.name})
    return redirect("sharing_endpoints", code=agency.code)


CHART_DAYS = 30
DELIVERY_PAGE_SIZE = 25
DELIVERY_COUNT_CAP = 1000


@login_required
def dashboard(request: HttpRequest, code: str) -> HttpResponse:
    agency = access_admin_agency(user=request.user, code=code)
    deliveries = list_filters.filtered(
        request,
        selectors.deliveries_visible_to(user=request.user).filter(endpoint__agency=agency),
        DeliveryFilter,
        endpoints=selectors.endpoints_administered_by(user=request.user, agency=agency),
    )
    recent = tables.paged(
        request,
        deliveries.rows,
        table_class=DeliveryTable,
        sorts=DELIVERY_SORTS,
        default_sort=DELIVERY_DEFAULT_SORT,
        size=DELIVERY_PAGE_SIZE,
        count=DELIVERY_COUNT_CAP,
        label=_("Pages of deliveries"),
    )
    if not recent.page.object_list and deliveries.active:
        recent.empty_action = (request.path, _("Clear the filters"))
    elif not recent.page.object_list:
        recent.empty_action = (
            reverse("sharing_endpoints", args=[agency.code]),
            _("Check your endpoints"),
        )
    recent.items_in_words = selectors.delivery_items_in_words(
        delivery_ids=[d.pk for d in recent.page.object_list]
    )
    days = charts.last_days(today=timezone.localdate(), days=CHART_DAYS)
    counts = selectors.delivery_counts_per_day(
        user=request.user, agency=agency, since=charts.day_start(days[0])
    )
    rows = selectors.endpoint_dashboard(agency=agency)
    for row in rows:
        mine = [c for c in counts if c["endpoint_id"] == row["endpoint"].pk]
        row["chart"] = charts.stacked_per_day(mine, days=days, series=delivery.DELIVERY_SERIES)
        row["chart_id"] = f"endpoint-chart-{row['endpoint'].pk}"
        failure = row["last_failure"]
        if failure:
            failure["words"] = delivery.error_in_words(
                failure["last_error"], failure["last_status_code"]
            )
    errors = [
        (d, delivery.error_in_words(d.last_error, d.last_status_code))
        for d in selectors.latest_delivery_errors(agency=agency)
    ]
    context = {
        "agency": agency,
        "rows": rows,
        "recent": recent,
        "page": recent.page,
        "filters": deliveries,
        "errors": errors,
        "chart_days": CHART_DAYS,
        "charts": True,
    }
    return render(
        request, "sharing/dashboard.html", context, status=400 if deliveries.errors else 200
    )


@login_required
@require_POST
def endpoint_retry(request: HttpRequest, code: str, pk: int) -> HttpResponse:
    agency = access_admin_agency(user=request.user, code=code)
    endpoint = selectors.access_endpoint(user=request.user, pk=pk)
    if endpoint.agency_id != agency.pk:
        raise Http404
    count = services.endpoint_retry_now(actor=request.user, endpoint=endpoint)
    messages.success(
        request,
        _("%(count)s deliveries to %(name)s will be retried now.")
        % {"count": count, "name": endpoint.name},
    )
    return redirect("sharing_dashboard", code=agency.code)
