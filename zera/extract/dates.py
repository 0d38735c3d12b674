"""Reading printed dates: numeric US/European/ISO forms and written months, with or without year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

MONTHS = {
    "jan": 1, "january": 1, "januar": 1, "janv": 1, "janvier": 1, "jän": 1, "ene": 1,
    "feb": 2, "february": 2, "februar": 2, "févr": 2, "fevr": 2, "février": 2,
    "mar": 3, "march": 3, "mär": 3, "märz": 3, "mrz": 3, "mars": 3,
    "apr": 4, "april": 4, "avr": 4, "avril": 4, "abr": 4,
    "may": 5, "mai": 5,
    "jun": 6, "june": 6, "juni": 6, "juin": 6,
    "jul": 7, "july": 7, "juli": 7, "juil": 7, "juillet": 7,
    "aug": 8, "august": 8, "août": 8, "aout": 8, "ago": 8,
    "sep": 9, "sept": 9, "september": 9, "septembre": 9,
    "oct": 10, "october": 10, "okt": 10, "oktober": 10, "octobre": 10,
    "nov": 11, "november": 11, "novembre": 11,
    "dec": 12, "december": 12, "dez": 12, "dezember": 12, "déc": 12, "décembre": 12, "dic": 12,
}  # fmt: skip

_NUMERIC = re.compile(r"^(\d{1,2})([/.\-])(\d{1,2})(?:\2(\d{4}|\d{2}))?\.?$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DAY_MONTH = re.compile(
    r"^(\d{1,2})(?:st|nd|rd|th)?[ .\-]*([A-Za-zäéû]{3,9})\.?(?:[ ,\-]+(\d{4}|\d{2}))?$"
)
_MONTH_DAY = re.compile(
    r"^([A-Za-zäéû]{3,9})\.?[ \-]*(\d{1,2})(?:st|nd|rd|th)?,?(?:[ ,]+(\d{4}))?$"
)


@dataclass(frozen=True, slots=True)
class DateToken:
    """A date as printed: numeric forms keep both readings until the document's order is known."""

    a: int  # first number (month in US order, day in European order)
    b: int
    year: int | None
    named_month: bool  # month was written, so (a, b) = (day, month) with no ambiguity
    sep: str = "/"

    def resolve(self, day_first: bool) -> tuple[int | None, int, int] | None:
        """(year, month, day) in the given order, or None if impossible."""
        if self.named_month or day_first or self.sep == ".":
            day, month = self.a, self.b
        else:
            month, day = self.a, self.b
        if not (1 <= month <= 12 and 1 <= day <= 31):
            return None
        return self.year, month, day


def _year(text: str | None) -> int | None:
    if not text:
        return None
    y = int(text)
    return y + 2000 if y < 100 else y


def parse_date_token(text: str) -> DateToken | None:
    """The date `text` prints, or None."""
    text = text.strip().rstrip(",")
    if not text or len(text) > 20:
        return None
    if m := _ISO.match(text):
        return DateToken(int(m[3]), int(m[2]), int(m[1]), named_month=True)
    if m := _NUMERIC.match(text):
        a, b = int(m[1]), int(m[3])
        if not (1 <= a <= 31 and 1 <= b <= 31) or (a > 12 and b > 12):
            return None
        return DateToken(a, b, _year(m[4]), named_month=False, sep=m[2])
    if m := _DAY_MONTH.match(text):
        month = MONTHS.get(m[2].lower())
        if month and 1 <= int(m[1]) <= 31:
            return DateToken(int(m[1]), month, _year(m[3]), named_month=True)
    if m := _MONTH_DAY.match(text):
        month = MONTHS.get(m[1].lower())
        if month and 1 <= int(m[2]) <= 31:
            return DateToken(int(m[2]), month, _year(m[3]), named_month=True)
    return None


def guess_day_first(tokens: list[DateToken], european_hint: bool) -> bool:
    """Whether numeric dates in this document are day-first, from the evidence they carry."""
    numeric = [t for t in tokens if not t.named_month and t.sep != "."]
    if any(t.a > 12 for t in numeric):
        return True
    if any(t.b > 12 for t in numeric):
        return False
    return european_hint or any(t.sep == "." for t in tokens if not t.named_month)


def to_date(
    token: DateToken, day_first: bool, period: tuple[date, date] | None, fallback_year: int
) -> date | None:
    """A calendar date; a missing year comes from the statement period, across New Year."""
    parts = token.resolve(day_first)
    if parts is None:
        return None
    year, month, day = parts
    if year is not None:
        return _safe(year, month, day)
    if period is None:
        return _safe(fallback_year, month, day)
    start, end = period
    best: date | None = None
    for y in sorted({start.year, end.year, start.year - 1, end.year + 1}):
        candidate = _safe(y, month, day)
        if candidate is None:
            continue
        if best is None or _distance(candidate, start, end) < _distance(best, start, end):
            best = candidate
    return best


def _distance(d: date, start: date, end: date) -> timedelta:
    if d < start:
        return start - d
    if d > end:
        return d - end
    return timedelta(0)


def _safe(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
