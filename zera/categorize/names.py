"""Payee names read from bank text, and matched to the names a company already has.

A statement line says "POS PURCHASE SQ *BLUE BOTTLE COFFEE 11/03 #4411" where QuickBooks says
"Blue Bottle Coffee". `payee_name` keeps the merchant and drops what banks and card processors
add around it: transaction-type words, processor prefixes, dates, masked card digits, store
numbers and reference codes. `NameIndex` finds the existing name it stands for, also when the
bank cut the name short ("SITEONE LANDSC") or the company's name is longer ("Home Depot Pro").
Pure: no I/O."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

MAX_NAME = 500  # Intuit's DisplayName limit

# Prefixes card processors put before the merchant's own name ("SQ *BLUE BOTTLE").
PROCESSORS = frozenset({
    "SQ", "SQU", "SQUARE", "TST", "TOAST", "PAYPAL", "PP", "SP", "IN", "PY", "CKE", "BT", "FS",
    "WPY", "DD", "EB", "LS", "PLI", "ZSK", "SMK", "STK", "SPO", "CLV", "HLU", "IC", "AMZ",
    "POYNT", "CLOVER", "STRIPE", "SUMUP", "IZ", "ZETTLE",
})  # fmt: skip
# Words that say how money moved, not who it went to, when they lead the text.
LEADING_NOISE = frozenset({
    "POS", "PURCHASE", "PURCHASED", "DEBIT", "CREDIT", "CARD", "CHECKCARD", "DBT", "CRD", "VISA",
    "MC", "MASTERCARD", "DDA", "PUR", "ACH", "EFT", "ELECTRONIC", "PREAUTHORIZED", "PREAUTH",
    "PRE", "AUTH", "AUTHORIZED", "RECURRING", "RECUR", "ONLINE", "BILL", "BILLPAY", "PAY",
    "PMT", "WITHDRAWAL", "WDRL", "WIRE", "TRANSFER", "XFER", "INCOMING", "OUTGOING", "FROM",
    "TO", "ZELLE", "ON", "MOBILE", "INTL", "INTERNATIONAL", "SALE", "TRANSACTION", "TXN", "PPD",
    "CCD", "WEB", "TEL", "ORIG", "CO", "NAME", "INST", "XFR", "PAYMENT", "SENT", "RECEIVED",
    "EXTERNAL", "EXT", "DIRECT", "DEP", "DEPOSIT", "REMOTE", "NON", "REF", "VENMO", "CASHAPP",
    "CONTACTLESS", "TAP",
})  # fmt: skip
# Words after the merchant that mark where a reference code or location starts.
REFERENCE_WORDS = frozenset({
    "REF", "REFERENCE", "CONF", "CONFIRMATION", "ID", "TRACE", "INV", "INVOICE", "TRN", "TXN",
    "AUTH", "SEQ", "PPD", "CCD", "WEB", "TEL", "ARC", "BOC", "RCK", "POP", "IND", "DES",
    "ORIG", "TRANS", "TRAN", "CARD", "ENDING", "ACCT", "ACCOUNT", "XX", "NO", "NUMBER", "DATE",
})  # fmt: skip
# Words that end a merchant's text without being part of its name.
TRAILING_NOISE = frozenset({
    "STORE", "STR", "STORES", "PAYMENT", "PMT", "PYMT", "PYMNT", "AUTOPAY", "AUTO", "EPAY",
    "EPAYMENT", "ONLINE", "WEB", "RECURRING", "DEBIT", "PURCHASE", "POS", "ACH", "BILLPAY",
    "BILL", "PAY", "DES", "US", "USA", "COM", "WWW", "HTTPS", "HTTP", "CARD", "TRANSFER",
    "XFER", "TO", "FROM", "ON", "PPD", "CCD", "TEL",
})  # fmt: skip
# Text made only of these names no one ("MOBILE DEPOSIT", "CHECK", "SERVICE FEE").
GENERIC = frozenset({
    "CHECK", "CHK", "DEPOSIT", "DEPOSITS", "MOBILE", "REMOTE", "ONLINE", "BRANCH", "ATM",
    "WITHDRAWAL", "TRANSFER", "PAYMENT", "PAYMENTS", "CLIENT", "CUSTOMER", "INTEREST", "FEE",
    "FEES", "SERVICE", "CHARGE", "CHARGES", "MONTHLY", "CASH", "COUNTER", "TELLER", "EDEPOSIT",
    "THANK", "YOU", "AUTOPAY", "BALANCE", "ADJUSTMENT", "CREDIT", "DEBIT", "REFUND", "RETURN",
    "RETURNED", "ITEM", "OVERDRAFT", "NSF", "PAID", "EARNED", "MISC", "MISCELLANEOUS",
    "DIVIDEND", "OTHER", "SAVINGS", "CHECKING", "ACCOUNT", "AND", "OF", "THE", "A", "IN", "NEW",
    "BANKING", "INTERNET", "TELEPHONE", "PHONE", "BY", "FOR", "AT", "WIRE", "INCOMING",
    "OUTGOING", "FROM", "TO", "ACH", "POS", "PURCHASE", "CARD", "SHARE", "DRAFT", "CHECKS",
})  # fmt: skip
US_STATES = frozenset({
    "AL", "AK", "AZ", "AR", "CA", "CO", "CT", "DE", "FL", "GA", "HI", "ID", "IL", "IN", "IA",
    "KS", "KY", "LA", "ME", "MD", "MA", "MI", "MN", "MS", "MO", "MT", "NE", "NV", "NH", "NJ",
    "NM", "NY", "NC", "ND", "OH", "OK", "OR", "PA", "RI", "SC", "SD", "TN", "TX", "UT", "VT",
    "VA", "WA", "WV", "WI", "WY", "DC",
})  # fmt: skip
# Kept in capitals when a name is put in title case.
ACRONYMS = frozenset({
    "UPS", "USPS", "ADP", "IRS", "ATT", "AT&T", "BP", "CVS", "DMV", "IBM", "USA", "HVAC", "TV",
    "LLC", "LLP", "LP", "PLLC", "PC", "CPA", "NA", "II", "III", "IV", "DBA", "FTB", "EDD", "AAA",
    "IKEA", "AWS", "HP", "GM", "KFC", "QT", "DHL", "TJ", "BJ", "CA", "NY", "SF", "LA", "HOA",
    "YMCA", "USAA", "GEICO", "PG&E", "NAPA", "CPR", "DDS", "MD", "PLC",
})  # fmt: skip
LEGAL_SUFFIXES = frozenset({
    "LLC", "INC", "INCORPORATED", "CO", "CORP", "CORPORATION", "COMPANY", "LTD", "LIMITED",
    "LP", "LLP", "PLC", "PC", "PLLC", "PA",
})  # fmt: skip

_MONTHS = (
    "JANUARY|FEBRUARY|MARCH|APRIL|MAY|JUNE|JULY|AUGUST|SEPTEMBER|OCTOBER|NOVEMBER|DECEMBER|"
    "JAN|FEB|MAR|APR|JUN|JUL|AUG|SEPT|SEP|OCT|NOV|DEC"
)
_DATES = re.compile(
    r"\b(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?|"
    rf"(?:{_MONTHS})\.?\s?\d{{1,2}}(?:,?\s?\d{{4}})?)\b"
)
# ACH text "ORIG CO NAME:ADP PAYROLL ORIG ID:..." names the originator between two labels.
_ORIGINATOR = re.compile(
    r"ORIG(?:INATOR)?\s*CO\s*NAME\s*[:\s]\s*(.+?)"
    r"(?=\s+(?:ORIG\s*ID|DESC\s*DATE|CO\s*ENTRY|SEC|TRACE|EED|IND\s*ID|IND\s*NAME|ID\s*:)|$)"
)
_MONEY_MOVERS = re.compile(
    r"^(?:WIRE\s+TRANSFER|WIRE|ZELLE(?:\s+PAYMENT)?|VENMO(?:\s+PAYMENT)?|INCOMING\s+WIRE|"
    r"OUTGOING\s+WIRE|DEPOSIT|PAYMENT|ONLINE\s+PAYMENT|BILL\s+PAY(?:MENT)?|ONLINE\s+BILL\s+PAY"
    r"(?:MENT)?)\b(?:\s+(?:INCOMING|OUTGOING|SENT|RECEIVED|TRANSFER))*\s+(?:TO|FROM)\s+"
)
_MASKED = re.compile(r"^(?:[X*#.]+\d*|\d*[X*]{2,}\d*|#?\d+[X*#]*|X{2,})$")
_TOKEN = re.compile(r"[A-Z0-9][A-Z0-9'&.\-/+]*")


def _tokens(text: str) -> list[str]:
    return [t.strip(".-/+") for t in _TOKEN.findall(text) if t.strip(".-/+")]


def payee_name(text: str) -> str:
    """The merchant or person a statement line names, in title case ("Home Depot"); "" when the
    text names no one ("MOBILE DEPOSIT", "CHECK 1043")."""
    s = " ".join(text.upper().replace(":", " : ").split())
    originator = _ORIGINATOR.search(s)
    if originator:
        s = originator.group(1)
    s = s.replace(" : ", " ")
    s = _DATES.sub(" ", s)
    mover = _MONEY_MOVERS.match(s)
    if mover:
        s = s[mover.end() :]
    s = _strip_processor(s)
    tokens = _tokens(s)
    while tokens and _leading_noise(tokens):
        tokens.pop(0)
    kept: list[str] = []
    for i, token in enumerate(tokens):
        has_digit = any(c.isdigit() for c in token)
        if i and (has_digit or token in REFERENCE_WORDS or token.startswith("#")):
            break
        if _MASKED.match(token) and i:
            break
        kept.append(token)
    while kept and kept[-1] in TRAILING_NOISE:
        kept.pop()
    if len(kept) >= 3 and kept[-1] in US_STATES:
        kept.pop()
    if not kept or all(t in GENERIC or t.isdigit() for t in kept):
        return ""
    return title_case(" ".join(kept))[:MAX_NAME]


def _leading_noise(tokens: list[str]) -> bool:
    """The first token says how money moved, or is a card number or a date ("1103")."""
    first = tokens[0]
    if first in LEADING_NOISE or (first == "CHECK" and tokens[1:2] == ["CARD"]):
        return True
    return bool(_MASKED.match(first)) and (not first.isdigit() or len(first) >= 4)


def _strip_processor(s: str) -> str:
    """Drop a processor's prefix ("SQ *"), or cut a "MERCHANT*REFCODE" after the merchant."""
    head, star, tail = s.partition("*")
    if not star:
        return s
    words = head.split()
    if words and words[-1] in PROCESSORS and tail.strip():
        return " ".join([*words[:-1], tail.strip()])
    if head.strip():
        return head
    return tail


def title_case(text: str) -> str:
    """Capitalized words, acronyms kept ("UPS Store"), "LOWE'S" as "Lowe's"; no ':'."""
    words = []
    for word in text.replace(":", " ").split():
        upper = word.upper()
        letters = [c for c in upper if c.isalpha()]
        if upper in ACRONYMS or (
            letters and len(letters) <= 3 and not any(c in "AEIOUY" for c in letters)
        ):
            words.append(upper)
            continue
        parts = re.split(r"([-/&])", word.lower())
        words.append("".join(p[:1].upper() + p[1:] for p in parts))
    return " ".join(words)


def name_key(name: str) -> tuple[str, ...]:
    """What two spellings of one name share: lower case words, '&' as 'and', no apostrophes or
    punctuation, no leading 'the' or trailing legal form ("Lowe's Companies, Inc." and
    "LOWES COMPANIES" give the same key)."""
    s = name.upper().replace("&", " AND ").replace("'", "").replace("\u2019", "")
    words = re.sub(r"[^A-Z0-9]+", " ", s).split()
    if words and words[0] == "THE":
        words.pop(0)
    while len(words) > 1 and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return tuple(w.lower() for w in words)


@dataclass(frozen=True)
class _Entry:
    ident: str
    words: tuple[str, ...]
    joined: str
    bounds: frozenset[int]  # where the joined words' boundaries fall


def _entry(ident: str, words: tuple[str, ...]) -> _Entry:
    bounds, total = set(), 0
    for word in words:
        total += len(word)
        bounds.add(total)
    return _Entry(ident, words, "".join(words), frozenset(bounds))


class NameIndex:
    """Existing names (id, name) to match bank text against, found by their first letters."""

    PREFIX = 3
    MIN_SHORTENED = 4  # a cut-short bank name must keep at least this many letters

    def __init__(self, names: Iterable[tuple[str, str]]) -> None:
        self._by_start: dict[str, list[_Entry]] = {}
        for ident, name in names:
            words = name_key(name)
            if words:
                entry = _entry(ident, words)
                self._by_start.setdefault(entry.joined[: self.PREFIX], []).append(entry)

    def _candidates(self, joined: str) -> list[_Entry]:
        """Names sharing the text's first letters (a name shorter than that, under itself)."""
        found = list(self._by_start.get(joined[: self.PREFIX], []))
        for size in range(1, self.PREFIX):
            if len(joined) > size:
                found += self._by_start.get(joined[:size], [])
        return found

    def find(self, name: str) -> str | None:
        """The id of the one name `name` stands for: the same words, a name the text begins
        with ("SHELL OIL" is Shell), or a name the text is the start of ("HOME DEPOT" is Home
        Depot Pro, "SITEONE LANDSC" is SiteOne Landscape Supply). None when no name or
        several fit equally well."""
        words = name_key(name)
        if not words:
            return None
        text = _entry("", words)
        best: list[tuple[int, str]] = []
        for entry in self._candidates(text.joined):
            score = _score(text, entry)
            if score:
                best.append((score, entry.ident))
        if not best:
            return None
        best.sort(reverse=True)
        top = best[0][0]
        winners = {ident for score, ident in best if score == top}
        return winners.pop() if len(winners) == 1 else None


def _score(text: _Entry, entry: _Entry) -> int:
    """How well a known name fits the bank's words: exact beats contained beats cut short."""
    if text.joined == entry.joined:
        return 3 * 1000 + len(entry.joined)
    if text.joined.startswith(entry.joined) and len(entry.joined) in text.bounds:
        return 2 * 1000 + len(entry.joined)
    if (
        entry.joined.startswith(text.joined)
        and len(text.joined) >= NameIndex.MIN_SHORTENED
        and (len(text.joined) in entry.bounds or len(text.words[-1]) >= NameIndex.PREFIX)
    ):
        return 1 * 1000 + len(text.joined)
    return 0
