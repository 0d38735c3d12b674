"""What a statement says outside its transaction table: period, balances, account, currency."""

from __future__ import annotations

import re

from zera.extract.dates import DateToken, parse_date_token
from zera.extract.layout import Line
from zera.extract.money import CURRENCY_CODES, CURRENCY_SIGNS, Money, parse_money

OPENING = (
    "beginning balance", "opening balance", "previous balance", "starting balance",
    "start balance", "balance last statement", "anfangssaldo", "alter kontostand", "saldo alt",
    "alter saldo", "solde précédent", "ancien solde", "solde initial", "balance at start",
)  # fmt: skip
FORWARD = (
    "balance forward", "brought forward", "balance brought forward", "b/f", "übertrag",
    "report", "carried forward", "balance carried forward", "c/f", "continued",
)  # fmt: skip
CLOSING = (
    "ending balance", "closing balance", "new balance", "end balance", "endsaldo",
    "neuer kontostand", "saldo neu", "neuer saldo", "nouveau solde", "solde final",
    "statement balance", "balance at end",
)  # fmt: skip
TOTAL = ("total", "totals", "subtotal", "sub-total", "summe", "sum ", "total des")
CARD_WORDS = (
    "credit card", "card account", "minimum payment", "credit limit", "available credit",
    "payment due", "card ending", "cardmember", "card member", "credit line",
)  # fmt: skip

_DATE = (
    r"(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?"
    r"|\d{1,2}(?:st|nd|rd|th)?\.?\s+[A-Za-zäéû]{3,9}\.?,?(?:\s+\d{2,4})?"
    r"|[A-Za-zäéû]{3,9}\.?\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?)"
)
_PERIOD = re.compile(
    rf"(?P<a>{_DATE})\s*(?:-|\u2013|\u2014|to|through|thru|bis|au|until|till)\s*:?\s*(?P<b>{_DATE})",
    re.IGNORECASE,
)
_ACCOUNT = re.compile(
    r"(?:account|acct|konto|compte|card|iban)[\s\-]*"
    r"(?:number|no\.?|nr\.?|nummer|num\.?|n°|#|ending\s+in|ending)?\s*[:#]?\s*"
    r"(?:[A-Z]{2}\d{2}\s?)?(?P<num>[*xX•.\-]*\s?\d[\d \-]{2,30}\d)\b",
    re.IGNORECASE,
)


def keyword_kind(text: str) -> str | None:
    """opening | forward | closing | total for a balance or totals row, else None."""
    low = text.lower()
    for kind, words in (("opening", OPENING), ("closing", CLOSING), ("forward", FORWARD)):
        if any(w in low for w in words):
            return kind
    stripped = low.lstrip()
    if any(stripped.startswith(w) for w in TOTAL):
        return "total"
    return None


def period_tokens(text: str) -> tuple[DateToken, DateToken] | None:
    """The two ends of a statement period printed in `text`."""
    pos = 0
    # Not finditer: a false start ("Period 01" read as a written date) must not swallow the
    # real range that overlaps it, so the search resumes one character later.
    while (m := _PERIOD.search(text, pos)) is not None:
        a, b = parse_date_token(m["a"]), parse_date_token(m["b"])
        if a and b:
            if a.year is None and b.year is not None:
                a = DateToken(a.a, a.b, b.year, a.named_month, a.sep)
            return a, b
        pos = m.start() + 1
    return None


def account_last4(text: str) -> str | None:
    m = _ACCOUNT.search(text)
    if not m:
        return None
    digits = re.sub(r"\D", "", m["num"])
    return digits[-4:] if len(digits) >= 4 else None


def labelled_amounts(line: Line) -> list[tuple[str, Money]]:
    """(label, amount) pairs in a summary line: each label cell with the next amount cell."""
    pairs: list[tuple[str, Money]] = []
    label: str | None = None
    for cell in line.cells:
        money = parse_money(cell.text)
        if money is None and len(cell.words) > 1:
            tail = parse_money(cell.words[-1].text)
            if tail is not None:
                pairs.append((" ".join(w.text for w in cell.words[:-1]), tail))
                label = None
                continue
        if money is not None:
            if label is not None:
                pairs.append((label, money))
            label = None
        else:
            label = cell.text
    return pairs


_CODES = re.compile(r"\b(" + "|".join(CURRENCY_CODES) + r")\b")


def currency_marks(text: str) -> list[str]:
    found = [CURRENCY_SIGNS[c] for c in text if c in CURRENCY_SIGNS]
    found += _CODES.findall(text)
    return found


_IN_SECTIONS = (
    "deposits", "additions", "credits", "money in", "incoming", "gutschriften", "crédits",
    "payments and credits", "payments and other credits", "payments, credits",
)  # fmt: skip
_OUT_SECTIONS = (
    "withdrawals", "debits", "subtractions", "checks paid", "cheques paid", "purchases",
    "fees", "charges", "money out", "outgoing", "belastungen", "lastschriften", "débits",
    "cash advances",
)  # fmt: skip


def section_direction(text: str) -> int:
    """+1 or -1 for a section heading that says which way its amounts go ("DEPOSITS AND
    ADDITIONS", "CHECKS PAID"), 0 for any other line. Banks that list deposits and
    withdrawals in separate sections often print every amount unsigned."""
    low = " ".join(text.lower().replace("&", " ").split())
    if len(low.split()) > 8 or any(ch.isdigit() for ch in low):
        return 0
    into = any(w in low for w in _IN_SECTIONS)
    out = any(w in low for w in _OUT_SECTIONS)
    if into == out:
        return 0
    return 1 if into else -1
