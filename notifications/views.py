"""The notification centre's pages: the list, open one (marks it read), mark all read, and the
e-mail digest preference."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from common import tables
from common.forms import apply_validation_error
from notifications import selectors, services
from notifications.forms import DigestForm, FilterForm
from notifications.tables import DEFAULT_SORT, SORTS, NotificationTable

PAGE_SIZE = 25


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    filters = FilterForm(request.GET or None)
    items = selectors.notifications_for(user=request.user)
    unknown = ""
    if filters.is_bound and not filters.is_valid():
        field = next(iter(filters.errors))
        unknown = tables.unknown_choice(str(filters.fields[field].label), request.GET[field])
    values = filters.cleaned_data if filters.is_bound and filters.is_valid() else {}
    if values.get("show") == "unread":
        items = items.filter(read_at__isnull=True)
    if values.get("kind"):
        items = items.filter(kind=values["kind"])
    table = tables.paged(
        request,
        items,
        table_class=NotificationTable,
        sorts=SORTS,
        default_sort=DEFAULT_SORT,
        size=PAGE_SIZE,
        count=1000,
        label=_("Pages of notifications"),
    )
    context = {"table": table, "page": table.page, "filters": filters, "unknown_choice": unknown}
    return render(request, "notifications/list.html", context, status=400 if unknown else 200)


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark it read and follow its link (a page of this site)."""
    notification = selectors.access_notification(user=request.user, pk=pk)
    services.notification_mark_read(actor=request.user, notification=notification)
    if url_has_allowed_host_and_scheme(notification.link, allowed_hosts=None):
        return redirect(notification.link)
    return redirect("notifications:list")


@login_required
@require_POST
def notifications_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_mark_all_read(actor=request.user)
    messages.success(
        request,
        ngettext(
            "%(count)d notification marked as read.",
            "%(count)d notifications marked as read.",
            count,
        )
        % {"count": count},
    )
    return redirect("notifications:list")


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def digest_settings(request: HttpRequest) -> HttpResponse:
    preference = selectors.digest_preference(user=request.user)
    form = DigestForm(
        request.POST if request.method == "POST" else None,
        initial={"frequency": preference.frequency},
    )
    if form.is_bound and form.is_valid():
        try:
            services.digest_preference_set(
                actor=request.user,
                frequency=form.cleaned_data["frequency"],
                language=get_language() or "",
            )
        except ValidationError as exc:
            apply_validation_error(form, exc)
        else:
            messages.success(request, _("Your e-mail digest preference is saved."))
            return redirect("notifications:settings")
    context = {
        "form": form,
        "preference": preference,
        "has_email": bool(getattr(request.user, "email", "")),
    }
    return render(
        request, "notifications/settings.html", context, status=400 if form.is_bound else 200
    )
