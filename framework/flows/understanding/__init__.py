"""Understanding short customer answers: numbers, yes/no, dates and times, languages.

Pure functions without I/O or a clock ("now" is passed in); each returns None when it
does not understand its input, and none of them raises.
"""

from framework.flows.understanding.dates import parse_date, parse_datetime, parse_time
from framework.flows.understanding.language import guess_language, requested_language
from framework.flows.understanding.numbers import parse_number, word_to_number
from framework.flows.understanding.yesno import parse_yes_no

__all__ = [
    "guess_language",
    "parse_date",
    "parse_datetime",
    "parse_number",
    "parse_time",
    "parse_yes_no",
    "requested_language",
    "word_to_number",
]
