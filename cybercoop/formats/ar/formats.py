"""Arabic date-times: Django's ``ar`` formats have none, so a date and time fell back to the
US ``m/d/Y``; these join Django's Arabic date and time formats instead (U+200F, the
right-to-left mark, as in its ``SHORT_DATE_FORMAT``)."""

DATETIME_FORMAT = "j F، Y g:i A"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y g:i A"
