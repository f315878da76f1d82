"""Notice pages: list and search, request form, detail with history, reviewer queue, and the
public list (notifications are the notification centre's: the old addresses lead there)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from cases.selectors import cases_visible_to
from common import tables
from common.confirm import confirmation
from common.filters import filtered
from common.forms import apply_validation_error
from notices import history, review, selectors, services
from notices.api import keyset_ordering
from notices.filters import PublicNoticeFilter, QueueFilter
from notices.forms import CHECK_TITLES, NoticeForm, ReasonForm, ReviewForm, SearchForm
from notices.models import TYPE_PURPOSES, Notice, NoticeReview, NoticeType
from notices.permissions import DIFFUSION_CIRCULATING
from notices.services import EDITABLE_FIELDS
from notices.tables import (
    MATCH_SORT,
    NOTICE_SORTS,
    PUBLIC_DEFAULT_SORT,
    PUBLIC_SORTS,
    QUEUE_DEFAULT_SORT,
    QUEUE_SORTS,
    NoticeTable,
    PublicNoticeTable,
    QueueTable,
)
from notifications.selectors import access_notification
from notifications.services import notification_mark_read

PAGE_SIZE = 100


def _requester_or_403(request: HttpRequest, pk: int) -> Notice:
    notice = selectors.access_notice(user=request.user, pk=pk)
    if not selectors.is_requester(user=request.user, notice=notice):
        raise PermissionDenied(_(services.NOT_REQUESTER))
    return notice


def _reviewer_or_403(request: HttpRequest, pk: int) -> Notice:
    notice = selectors.access_notice(user=request.user, pk=pk)
    if not selectors.is_reviewer(user=request.user):
        raise PermissionDenied(_("Only secretariat reviewers can do this."))
    return notice


def _apply(form: Any, error: ValidationError) -> None:
    renames = {"recipients": "recipient_agencies", "image": "photo"}
    if hasattr(error, "error_dict"):
        for old, new in renames.items():
            if old in error.error_dict:
                error.error_dict[new] = error.error_dict.pop(old)
    apply_validation_error(form, error)


@login_required
def notice_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    notices = selectors.notices_visible_to(user=request.user)
    if form.is_valid():
        data = form.cleaned_data
        notices = selectors.search_notices(
            notices,
            name=data["name"],
            date_of_birth=data["date_of_birth"],
            nationality=data["nationality"],
            notice_type=data["type"],
            status=data["status"],
        )
    notices, ordering = keyset_ordering(notices)
    searched = tuple(ordering) != ("-id",)  # a name search: best match first by default
    table = tables.paged(
        request,
        notices,
        table_class=NoticeTable,
        sorts={**NOTICE_SORTS, **MATCH_SORT} if searched else NOTICE_SORTS,
        default_sort="-match" if searched else "-number",
        size=PAGE_SIZE,
        label=_("Pages of notices"),
    )
    if selectors.requesting_agencies(user=request.user).exists() and not request.GET:
        table.empty_action = (reverse("notice_new"), _("Request a notice"))
    context = {
        "form": form,
        "table": table,
        "page": table.page,
        "is_reviewer": selectors.is_reviewer(user=request.user),
        "can_request": selectors.requesting_agencies(user=request.user).exists(),
    }
    return render(request, "notices/list.html", context)


def _form_data(form: NoticeForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "data": {k: data[k] for k in EDITABLE_FIELDS if k in data},
        "recipient_agencies": list(data.get("recipient_agencies") or []),
        "recipient_jurisdictions": list(data.get("recipient_jurisdictions") or []),
        "photos": [data["photo"]] if data.get("photo") else [],
    }


def _render_form(request: HttpRequest, form: NoticeForm, notice: Notice | None, status: int = 200):
    purposes = [(label, _(TYPE_PURPOSES[value])) for value, label in NoticeType.choices]
    context = {"form": form, "notice": notice, "purposes": purposes}
    return render(request, "notices/form.html", context, status=status)


def _submit_or_show_errors(request: HttpRequest, notice: Notice, form: NoticeForm) -> HttpResponse:
    try:
        services.notice_submit(actor=request.user, notice=notice)
    except ValidationError as error:
        _apply(form, error)
        messages.error(request, _("Saved, but not submitted: complete the fields marked below."))
        return _render_form(request, form, notice, status=400)
    except services.NoticeStateError as error:
        messages.error(request, str(error))
        return redirect(notice)
    messages.success(request, _("Submitted for review."))
    return redirect(notice)


@login_required
def notice_new(request: HttpRequest) -> HttpResponse:
    agencies = selectors.requesting_agencies(user=request.user)
    if not agencies.exists():
        raise PermissionDenied(_("You act for no agency that can request notices."))
    cases = cases_visible_to(user=request.user)
    form = NoticeForm(request.POST or None, request.FILES or None, agencies=agencies, cases=cases)
    if request.method != "POST":
        return _render_form(request, form, None)
    if not form.is_valid():
        return _render_form(request, form, None, status=400)
    submit = request.POST.get("action") == "submit"
    try:
        # A request submitted from the new form is created and submitted together: when the
        # submission is refused, nothing is saved (no half-made draft) and the form shows why.
        with transaction.atomic():
            notice = services.notice_create(
                actor=request.user,
                agency=form.cleaned_data["requesting_agency"],
                notice_type=form.cleaned_data["notice_type"],
                **_form_data(form),
            )
            if submit:
                services.notice_submit(actor=request.user, notice=notice)
    except ValidationError as error:
        _apply(form, error)
        if submit:
            messages.error(
                request, _("Not submitted and not saved: complete the fields marked below.")
            )
        return _render_form(request, form, None, status=400)
    except services.NoticeStateError as error:
        messages.error(request, str(error))
        return _render_form(request, form, None, status=400)
    messages.success(request, _("Submitted for review.") if submit else _("Draft saved."))
    return redirect(notice)


@login_required
def notice_edit(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _requester_or_403(request, pk)
    if not notice.is_editable:
        messages.error(request, _(services.NOT_EDITABLE))
        return redirect(notice)
    agencies = selectors.requesting_agencies(user=request.user)
    cases = cases_visible_to(user=request.user)
    form = NoticeForm(
        request.POST or None, request.FILES or None, instance=notice, agencies=agencies, cases=cases
    )
    if request.method != "POST":
        return _render_form(request, form, notice)
    if not form.is_valid():
        return _render_form(request, form, notice, status=400)
    try:
        notice = services.notice_update(actor=request.user, notice=notice, **_form_data(form))
    except ValidationError as error:
        _apply(form, error)
        return _render_form(request, form, notice, status=400)
    if request.POST.get("action") == "submit":
        return _submit_or_show_errors(request, notice, form)
    messages.success(request, _("Changes saved."))
    return redirect(notice)


@login_required
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = selectors.access_notice(user=request.user, pk=pk)
    is_requester = selectors.is_requester(user=request.user, notice=notice)
    is_reviewer = selectors.is_reviewer(user=request.user)
    context = {
        "notice": notice,
        # The linked case, named by its reference, only to those who may see it.
        "linked_case": cases_visible_to(user=request.user).filter(pk=notice.case_id).first()
        if notice.case_id is not None
        else None,
        "history": history.history_in_words(selectors.notice_history(notice=notice)),
        "reviews": notice.reviews.select_related("reviewer"),
        "photos": notice.photos.all(),
        "recipient_agencies": notice.recipient_agencies.all(),
        "recipient_jurisdictions": notice.recipient_jurisdictions.all(),
        "is_requester": is_requester,
        "is_reviewer": is_reviewer,
        "review_form": ReviewForm(),
        "reason_form": ReasonForm(),
        "reviewable": notice.status in (Notice.Status.SUBMITTED, Notice.Status.UNDER_REVIEW),
        "withdrawable": notice.status == Notice.Status.PUBLISHED
        or (notice.is_diffusion and notice.status in DIFFUSION_CIRCULATING),
        "cancellable": notice.status not in services.CLOSED,
    }
    return render(request, "notices/detail.html", context)


def _label(field: str) -> str:
    """What a message calls a field: a check's title, a form's label or the notice field's."""
    if field in CHECK_TITLES:
        return str(CHECK_TITLES[field])
    for form in (ReviewForm, ReasonForm):
        if field in form.base_fields and form.base_fields[field].label:
            return str(form.base_fields[field].label)
    return history.field_label(field)


def _action(request: HttpRequest, notice: Notice, call: Any, success: str, **kwargs: Any):
    try:
        call(actor=request.user, notice=notice, **kwargs)
    except ValidationError as error:
        messages.error(
            request,
            "; ".join(
                " ".join(msgs)
                if field == NON_FIELD_ERRORS
                else f"{_label(field)}: {' '.join(msgs)}"
                for field, msgs in error.message_dict.items()
            )
            if hasattr(error, "error_dict")
            else "; ".join(error.messages),
        )
    except services.NoticeStateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, success)
    return redirect(notice)


@login_required
@require_POST
def notice_submit(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _requester_or_403(request, pk)
    return _action(request, notice, services.notice_submit, _("Submitted for review."))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notice_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what cancelling does, with the reason to give; POST: cancel."""
    notice = _requester_or_403(request, pk)
    if request.method != "POST":
        return _confirm_end(request, notice, _("Cancel"), _("cancelled"))
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reasons"] if form.is_valid() else ""
    return _action(request, notice, services.notice_cancel, _("Notice cancelled."), reason=reason)


def _confirm_end(request: HttpRequest, notice: Notice, verb: str, done: str) -> HttpResponse:
    return confirmation(
        request,
        title=_("%(verb)s notice %(notice)s?") % {"verb": verb, "notice": notice},
        effects=selectors.notice_end_effects(notice=notice, verb=done),
        button=_("%(verb)s notice") % {"verb": verb},
        cancel_url=notice.get_absolute_url(),
        form=ReasonForm(),
    )


@login_required
@require_POST
def notice_renew(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _requester_or_403(request, pk)
    return _action(request, notice, services.notice_renew, _("Renewal sent to review."))


@login_required
@require_POST
def notice_review_start(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _reviewer_or_403(request, pk)
    return _action(request, notice, review.notice_review_start, _("Review started."))


@login_required
@require_POST
def notice_review(request: HttpRequest, pk: int) -> HttpResponse:
    notice = _reviewer_or_403(request, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a decision."))
        return redirect(notice)
    labels = dict(NoticeReview.Decision.choices)
    return _action(
        request,
        notice,
        review.notice_review,
        _("Decision recorded: %(decision)s.") % {"decision": labels[form.cleaned_data["decision"]]},
        **form.cleaned_data,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notice_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: what withdrawing does, with the reasons to give; POST: withdraw."""
    notice = _reviewer_or_403(request, pk)
    if request.method != "POST":
        return _confirm_end(request, notice, _("Withdraw"), _("withdrawn"))
    form = ReasonForm(request.POST)
    reasons = form.cleaned_data["reasons"] if form.is_valid() else ""
    return _action(request, notice, review.notice_withdraw, _("Notice withdrawn."), reasons=reasons)


@login_required
def notice_photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    notice = selectors.access_notice(user=request.user, pk=pk)
    photo = notice.photos.filter(pk=photo_pk).first()
    if photo is None:
        raise Http404
    return FileResponse(photo.image.open("rb"))


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    if not selectors.is_reviewer(user=request.user):
        raise PermissionDenied(_("Only secretariat reviewers have a review queue."))
    queue = filtered(request, selectors.review_queue(user=request.user), QueueFilter)
    table = tables.paged(
        request,
        queue.rows,
        table_class=QueueTable,
        sorts=QUEUE_SORTS,
        default_sort=QUEUE_DEFAULT_SORT,
        size=PAGE_SIZE,
        count=True,
        label=_("Pages of the review queue"),
    )
    if queue.active and not table.page.object_list:
        table.empty_action = (request.path, _("Clear the filters"))
    context = {"page": table.page, "table": table, "filters": queue}
    return render(request, "notices/queue.html", context, status=400 if queue.errors else 200)


@login_required
def notifications(request: HttpRequest) -> HttpResponse:
    """Notice notifications moved to the notification centre."""
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    """The old "mark read" of a notice notification: the centre's, back to the centre."""
    notification = access_notification(user=request.user, pk=pk)
    notification_mark_read(actor=request.user, notification=notification)
    return redirect("notifications:list")


def public_list(request: HttpRequest) -> HttpResponse:
    public = filtered(request, selectors.public_notices(), PublicNoticeFilter)
    table = tables.paged(
        request,
        public.rows,
        table_class=PublicNoticeTable,
        sorts=PUBLIC_SORTS,
        default_sort=PUBLIC_DEFAULT_SORT,
        size=PAGE_SIZE,
        count=True,
        label=_("Pages of public notices"),
    )
    if public.active and not table.page.object_list:
        table.empty_action = (request.path, _("Clear the filters"))
    context = {"page": table.page, "table": table, "filters": public}
    return render(
        request, "notices/public_list.html", context, status=400 if public.errors else 200
    )
