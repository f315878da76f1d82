"""The sentence of each kind of notification, written when it is read, in the reader's language.

A notification stores its kind, an optional ``variant`` and its parameters; the sentence is
``SENTENCES[kind, variant] % parameters`` translated now. Parameters are values, never
sentences: a key ending in ``_label`` holds an English label (a choice's label, marked for
translation where it is defined) and is translated here too, with a ``<key>_lower`` companion
for sentences that need it in lower case; ``_at`` holds an ISO date-time, shown in the reader's
format and the current time zone; ``_on`` an ISO date, in the reader's format. Rows written
before the centre keep their text as ``message``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Keyed by (kind, variant): the kinds are ``Notification.Kind`` values (the model imports this).
SENTENCES: dict[tuple[str, str], Promise] = {
    ("notice_expiry_reminder", ""): _(
        "%(type_label)s #%(notice)s (%(name)s) expires on %(expires_on)s. "
        "Renew it to keep it in force."
    ),
    ("notice_expired", ""): _("%(type_label)s #%(notice)s (%(name)s) expired."),
    ("notice_review", "published"): _("Your %(type_label)s was published."),
    ("notice_review", "info_requested"): _("The reviewer asks for more information: %(reasons)s"),
    ("notice_review", "refused"): _("Your %(type_label)s was refused: %(reasons)s"),
    ("notice_review", "diffusion_withdrawn"): _(
        "Your diffusion was withdrawn after review: %(reasons)s"
    ),
    ("notice_review", "withdrawn"): _("Withdrawn by the secretariat: %(reasons)s"),
    ("assistance_new", ""): _(
        "New %(kind_label_lower)s request #%(request)s from %(requester)s "
        "(%(urgency_label)s), due %(due_at)s."
    ),
    ("assistance_new", "enforcing"): _(
        "European Production Order #%(request)s from %(requester)s to %(addressee)s is notified "
        "to you (Regulation (EU) 2023/1543 Art. 8): raise any ground for refusal by "
        "%(window_ends_at)s."
    ),
    ("assistance_status", ""): _(
        "Request #%(request)s to %(addressee)s is now %(status_label_lower)s."
    ),
    ("assistance_status", "enforcing_decision"): _(
        "Order #%(request)s to %(addressee)s: %(decision_label)s, says %(authority)s "
        "(the enforcing authority)."
    ),
    ("assistance_deadline", ""): _("Request #%(request)s is due %(due_at)s."),
    ("assistance_overdue", ""): _("Request #%(request)s is overdue since %(due_at)s."),
    ("jit_invitation", ""): _(
        "%(leader)s invites %(agency)s to the joint investigation team “%(jit)s” as "
        "%(role_label_lower)s. An admin of %(agency)s answers."
    ),
    ("access_request", ""): _(
        "%(requester)s asks %(holder)s to share its indicator %(value)s, which matches one of "
        "theirs."
    ),
    ("access_decision", "shared"): _(
        "Your access request #%(request)s about %(value)s: the matching indicator is now shared "
        "with %(requester)s."
    ),
    ("access_decision", "declined"): _(
        "Your access request #%(request)s about %(value)s was declined: %(reasons)s"
    ),
    ("delivery_failing", ""): _(
        "Deliveries to the endpoint “%(endpoint)s” of %(agency)s are failing "
        "(%(error_label)s); they will be retried."
    ),
    ("delivery_dead", ""): _(
        "A delivery to the endpoint “%(endpoint)s” of %(agency)s is dead after its last "
        "attempt (%(error_label)s)."
    ),
}
ISOLATE, POP_ISOLATE = "\u2068", "\u2069"  # FIRST STRONG ISOLATE, POP DIRECTIONAL ISOLATE


def _value(key: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        if key.endswith("_at"):
            moment = timezone.localtime(dt.datetime.fromisoformat(value))
            # The reader's date and time, then the zone: "03/12/2026 11:00 CET" in French.
            return f"{date_format(moment, 'SHORT_DATETIME_FORMAT')} {date_format(moment, 'T')}"
        if key.endswith("_on"):
            return date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
    except ValueError:
        return value
    if key.endswith("_label"):
        return gettext(value) if value else value
    return value


def values(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters as the sentence shows them (labels translated, dates formatted). In a
    right-to-left language each is isolated (FSI … PDI), so that a Latin name, a code or a
    date keeps its own order and its punctuation inside the sentence."""
    shown = {key: _value(key, value) for key, value in params.items()}
    for key, value in list(shown.items()):
        if key.endswith("_label") and isinstance(value, str):
            shown[f"{key}_lower"] = value[:1].lower() + value[1:]
    if translation.get_language_bidi():
        return {key: f"{ISOLATE}{value}{POP_ISOLATE}" for key, value in shown.items()}
    return shown


def source_label(label: Any) -> str:
    """A choice's label as written in the code (English), whatever language is active: what a
    ``_label`` parameter stores, to be translated when read."""
    with translation.override(None):
        return str(label)


def sentence(kind: str, params: Mapping[str, Any], fallback: Any = "") -> str:
    """The notification in words, in the active language. A sentence that cannot be written
    (an unknown kind, a parameter missing) falls back to ``fallback`` (the kind's label):
    never a repr."""
    if "message" in params and isinstance(params["message"], str):
        return params["message"]
    template = SENTENCES.get((kind, str(params.get("variant", ""))))
    if template is not None:
        try:
            return str(template) % values(params)
        except (KeyError, TypeError, ValueError):
            pass
    return str(fallback) or gettext("Notification")
