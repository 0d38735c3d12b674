"""Reading printed amounts: signs, currency marks and both separator conventions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
CURRENCY_CODES = ("USD", "EUR", "GBP", "CHF", "CAD", "AUD", "NZD", "SEK", "NOK", "DKK", "PLN")

_CUR = r"(?:[$€£¥]|" + "|".join(CURRENCY_CODES) + r")"
# Statements print money with exactly two decimals; demanding them keeps years, reference
# numbers and quantities out of the amount columns.
_NUM = r"\d{1,3}(?:[,.' \u00a0\u202f]\d{3})+[.,]\d{2}|\d+[.,]\d{2}"
_MONEY = re.compile(
    rf"""^(?P<lead>[-+\u2212(]?)\s*(?P<cur1>{_CUR})?\s*(?P<lead2>[-+\u2212(]?)\s*
        (?P<num>{_NUM})\s*(?P<cur2>{_CUR})?\s*
        (?P<trail>-|\u2212|\+|\)|CR|DR|Cr|Dr|cr|dr|H|S)?\.?$""",
    re.VERBOSE,
)


_NEGATIVE_TRAILS = ("-", "\u2212", ")", "DR", "Dr", "dr", "S")  # S: German "Soll"


@dataclass(frozen=True, slots=True)
class Money:
    """A printed amount: its absolute value, the sign the print shows, and any currency mark."""

    value: Decimal  # signed as printed: '-', '( )', a trailing minus or DR make it negative
    explicit_sign: bool  # the print said which way (minus, parentheses, CR/DR)
    currency: str | None
    credit_mark: bool = False  # a trailing CR, which card statements use for payments

    @property
    def magnitude(self) -> Decimal:
        return abs(self.value)


_WHOLE = re.compile(
    rf"^[-+(]?\s*(?:{_CUR})?\s*[-+(]?\s*(?:\d{{1,3}}(?:,\d{{3}})+|\d{{1,7}})\s*[-)]?$"
)


def parse_money(text: str, *, whole: bool = False) -> Money | None:
    """The amount `text` prints, or None when it is not money with two decimals. With
    `whole`, amounts without cents ("$5", "-3") count too: some text exports drop them."""
    text = text.strip()
    if whole and _WHOLE.match(text):
        text = re.sub(r"(\d)(?!.*\d)", r"\1.00", text)
    if not text or len(text) > 32:
        return None
    m = _MONEY.match(text)
    if m is None:
        return None
    num = m["num"]
    decimal_sep = num[-3]
    int_part = num[:-3]
    seps = {c for c in int_part if not c.isdigit()}
    if decimal_sep in seps or len(seps) > 1:
        return None  # "1.234.56" or mixed separators: not an amount
    value = Decimal(re.sub(r"\D", "", int_part) + "." + num[-2:])
    lead = (m["lead"] or "") + (m["lead2"] or "")
    trail = m["trail"] or ""
    if ("(" in lead and trail != ")") or (trail == ")" and "(" not in lead):
        return None
    negative = any(c in lead for c in "-\u2212(") or trail in _NEGATIVE_TRAILS
    explicit = bool(lead.strip()) or bool(trail)
    cur = m["cur1"] or m["cur2"]
    return Money(
        value=-value if negative else value,
        explicit_sign=explicit,
        currency=CURRENCY_SIGNS.get(cur, cur) if cur else None,
        credit_mark=trail in ("CR", "Cr", "cr", "H"),
    )


def is_money(text: str) -> bool:
    return parse_money(text) is not None
