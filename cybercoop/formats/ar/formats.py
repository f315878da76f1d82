"""What Django's ``ar`` formats leave out: date-times (a date and time fell back to the US
``m/d/Y``; these join Django's Arabic date and time formats, with its U+200F right-to-left
marks) and the grouping of thousands (``intcomma`` grouped nothing)."""

DATETIME_FORMAT = "j F، Y g:i A"
SHORT_DATETIME_FORMAT = "d\u200f/m\u200f/Y g:i A"
NUMBER_GROUPING = 3
