"""The Arabic date-time formats Django leaves out: without them a date-time falls back to the US
month/day order (4 December 2026 read as 12/04/2026), while an Arabic date alone is day/month."""

DATETIME_FORMAT = "j F، Y g:i A"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y g:i A"
