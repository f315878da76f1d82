"""Automatic pre-checks before review: the minimum data per notice type and the rules
(penalty thresholds, excluded matters, public extracts, diffusion recipients)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop

from notices.models import PUBLIC_TYPES, Notice, NoticeType

REQUIRED = gettext_noop("This field is required for a {type} before submission.")
EXCLUDED_CATEGORY = gettext_noop(
    "Notices cannot be issued for private, family or administrative matters (Art. 3 / RPD)."
)
RED_PROSECUTION_THRESHOLD = gettext_noop(
    "A Red notice for prosecution needs a maximum penalty of at least 2 years (24 months)."
)
RED_SENTENCE_THRESHOLD = gettext_noop(
    "A Red notice to serve a sentence needs at least 6 months of the sentence remaining."
)
PUBLIC_TYPE_ONLY = gettext_noop(
    "A public extract is possible only for Red, Yellow and UN Special notices."
)
PUBLIC_NOT_RESTRICTED = gettext_noop(
    "A notice restricted to some jurisdictions cannot have a public extract."
)
DIFFUSION_RECIPIENTS = gettext_noop(
    "A diffusion needs at least one recipient agency or jurisdiction."
)

PERSON = ["family_name", "forenames", "date_of_birth", "sex", "nationalities"]
JUDICIAL = [
    "offence_category",
    "facts_summary",
    "facts_date",
    "facts_place",
    "charges",
    "law",
    "judicial_basis",
    "warrant_reference",
    "warrant_authority",
    "warrant_date",
]
MINIMUM_DATA: dict[str, list[str]] = {
    NoticeType.RED: ["languages", *PERSON, *JUDICIAL],
    NoticeType.YELLOW: [
        "languages",
        "family_name",
        "forenames",
        "date_of_birth",
        "sex",
        "facts_summary",
        "facts_date",
        "facts_place",
    ],
    NoticeType.BLUE: [
        "languages",
        "family_name",
        "forenames",
        "offence_category",
        "facts_summary",
        "charges",
    ],
    NoticeType.BLACK: ["languages", "sex", "facts_summary", "facts_date", "facts_place"],
    NoticeType.GREEN: ["languages", "subject_description", "offence_category", "facts_summary"],
    NoticeType.ORANGE: ["languages", "subject_description", "facts_summary"],
    NoticeType.PURPLE: ["languages", "subject_description", "offence_category"],
    NoticeType.SILVER: [
        "languages",
        "subject_description",
        "offence_category",
        "facts_summary",
        "charges",
    ],
    NoticeType.UN_SPECIAL: ["languages", "family_name", "facts_summary"],
    NoticeType.DIFFUSION: [
        "languages",
        "family_name",
        "offence_category",
        "facts_summary",
        "charges",
    ],
}


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def notice_precheck(notice: Notice) -> dict[str, list[str]]:
    """Automatic pre-checks before review: every problem, keyed by the field it concerns."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    type_label = notice.get_notice_type_display()
    for field in MINIMUM_DATA.get(notice.notice_type, []):
        if _blank(getattr(notice, field)):
            add(field, gettext(REQUIRED).format(type=type_label))
    if notice.notice_type == NoticeType.RED and notice.judicial_basis:
        if notice.judicial_basis == Notice.JudicialBasis.PROSECUTION:
            if notice.max_penalty_months is None:
                add("max_penalty_months", gettext(REQUIRED).format(type=type_label))
            elif notice.max_penalty_months < 24:
                add("max_penalty_months", gettext(RED_PROSECUTION_THRESHOLD))
        elif notice.sentence_remaining_months is None:
            add("sentence_remaining_months", gettext(REQUIRED).format(type=type_label))
        elif notice.sentence_remaining_months < 6:
            add("sentence_remaining_months", gettext(RED_SENTENCE_THRESHOLD))
    if notice.offence_category and notice.offence_category != Notice.OffenceCategory.CRIMINAL:
        add("offence_category", gettext(EXCLUDED_CATEGORY))
    if notice.public_extract_consent:
        if notice.notice_type not in PUBLIC_TYPES:
            add("public_extract_consent", gettext(PUBLIC_TYPE_ONLY))
        elif notice.recipient_jurisdictions.exists():
            add("public_extract_consent", gettext(PUBLIC_NOT_RESTRICTED))
    if notice.is_diffusion and not (
        notice.recipient_agencies.exists() or notice.recipient_jurisdictions.exists()
    ):
        add("recipients", gettext(DIFFUSION_RECIPIENTS))
    return errors
