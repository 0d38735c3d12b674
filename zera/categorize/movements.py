"""What a statement line's words say about money moving between the client's own accounts: a
card payment ("PAYMENT THANK YOU", "AUTOPAY"), a bank line paying a card issuer ("AMEX EPAYMENT
ACH PMT"), transfer words, the last digits of another account ("TO SAVINGS XXXXXX1010") and a
check's number. Pure: no I/O."""

from __future__ import annotations

import re

from zera.categorize.names import name_key

_PAYMENT = re.compile(
    r"\b(?:PAYMENT|PAYMT|PYMT|PYMNT|PMT|PMNT|AUTOPAY|AUTO[ -]PAY|AUTOPAYMENT|EPAY|E-PAY|"
    r"EPAYMENT|E-PAYMENT|PAY\s+OFF|BILL\s*PAY|CRCARDPMT|CARDPMT|ONLINE\s+PYMT)\b"
)
_NOT_A_PAYMENT = re.compile(
    r"\b(?:REFUND|RETURN|RETURNED|REVERSAL|REVERSED|CASH\s*BACK|CASHBACK|REWARDS?|"
    r"STATEMENT\s+CREDIT|ADJUSTMENT|DISPUTE|LATE\s+(?:PAYMENT\s+)?FEE|FEE|INTEREST|CHARGE)\b"
)
_TRANSFER = re.compile(
    r"\b(?:TRANSFER|TRANSFERS|XFER|XFR|TRF|TRSF|TFR|SWEEP|FUNDS|OWN\s+ACCOUNT|BETWEEN\s+ACCOUNTS|"
    r"INTERNAL)\b|\b(?:TO|FROM)\s+(?:SAVINGS|CHECKING|SAV|SVGS|CHK|CHKG|ACCOUNT|ACCT|MM|"
    r"MONEY\s+MARKET)\b"
)
_CARD_WORDS = re.compile(
    r"\b(?:CREDIT\s*CARD|CRD\s*PMT|CARD\s*PAYMENT|CARD\s*PMT|CC\s*PMT|CC\s*PAYMENT|CARDMEMBER|"
    r"CARD\s*SERVICES?|CARD\s*SRVC|CRCARDPMT|CARDPMT|CARD\s*AUTOPAY)\b"
)
# Card issuers as banks print them, and the words a QuickBooks account named for it may use.
ISSUERS: dict[str, tuple[str, ...]] = {
    "American Express": ("AMEX", "AMERICAN EXPRESS", "AMERICANEXPRESS", "AMEX EPAYMENT"),
    "Chase": ("CHASE",),
    "Citi": ("CITI", "CITIBANK", "CITICARDS", "CITI CARD"),
    "Capital One": ("CAPITAL ONE", "CAPITALONE", "CAP ONE"),
    "Discover": ("DISCOVER", "DISCOVER CARD", "DISCOVER E-PAYMENT"),
    "Barclaycard": ("BARCLAYCARD", "BARCLAYS"),
    "Synchrony": ("SYNCHRONY", "SYNCB"),
    "Wells Fargo": ("WELLS FARGO", "WF CREDIT CARD", "WELLS FARGO CARD"),
    "Bank of America": ("BANK OF AMERICA", "BK OF AMER", "BOFA", "BA ELECTRONIC"),
    "U.S. Bank": ("US BANK", "USBANK", "U.S. BANK", "ELAN"),
    "Brex": ("BREX",),
    "Ramp": ("RAMP",),
    "Divvy": ("DIVVY",),
    "Apple Card": ("APPLECARD", "APPLE CARD", "GS BANK"),
    "Navy Federal": ("NAVY FEDERAL", "NFCU"),
}
_ISSUER_PATTERNS = [
    (issuer, re.compile(r"\b(?:" + "|".join(re.escape(a) for a in aliases) + r")\b"))
    for issuer, aliases in ISSUERS.items()
]
_DATES = re.compile(r"\b\d{1,4}[/.-]\d{1,2}(?:[/.-]\d{2,4})?\b")
_ENDING = re.compile(r"(?<![0-9])(?P<mask>[X*#.]*)(?P<digits>[0-9]{4})(?![0-9])")
_BEFORE_ENDING = frozenset({
    "ENDING", "END", "ENDING IN", "IN", "ACCT", "ACCOUNT", "ACCT#", "CARD", "CHK", "CHECKING",
    "SAVINGS", "SAV", "SVGS", "TO", "FROM", "NO", "NO.", "#", "X", "MM", "LOAN", "CC", "DDA",
})  # fmt: skip
_CHECK = re.compile(r"^\s*(?:CHECK|CHK|CHEQUE|CK)\s*(?:NO\.?|NUMBER|NUM|#)?\s*#?\s*(\d{1,10})\b")


def _upper(text: str) -> str:
    return " ".join(text.upper().split())


def card_payment(text: str) -> bool:
    """Words a card statement uses for the client paying the card ("PAYMENT THANK YOU",
    "AUTOPAY", "ONLINE PAYMENT RECEIVED"), not for a refund or a fee."""
    s = _upper(text)
    return bool(_PAYMENT.search(s)) and not _NOT_A_PAYMENT.search(s)


def card_issuer_paid(text: str) -> str | None:
    """The card issuer a bank line pays ("Chase" for "CHASE CREDIT CRD AUTOPAY"), "" for a
    card payment to an issuer the words do not name, None when it is not a card payment."""
    s = _upper(text)
    if _NOT_A_PAYMENT.search(s):
        return None
    generic = bool(_CARD_WORDS.search(s))
    for issuer, pattern in _ISSUER_PATTERNS:
        if pattern.search(s) and (generic or _PAYMENT.search(s)):
            return issuer
    return "" if generic and (_PAYMENT.search(s) or "CARD" in s) else None


def issuer_words(issuer: str) -> tuple[str, ...]:
    """How an account named for the issuer may spell it, as padded name-key words
    (" amex ", " american express ")."""
    spellings = (issuer, *ISSUERS.get(issuer, ()))
    return tuple(f" {' '.join(name_key(s))} " for s in spellings if name_key(s))


def says_transfer(text: str) -> bool:
    """Words of money moved between accounts ("TRANSFER", "XFER", "TO SAVINGS")."""
    return bool(_TRANSFER.search(_upper(text)))


def transfer_words(text: str) -> bool:
    """Words of money moved between accounts, or a payment that names no merchant."""
    s = _upper(text)
    return bool(_TRANSFER.search(s) or _PAYMENT.search(s) or _CARD_WORDS.search(s))


def account_endings(text: str, *, exclude: tuple[str, ...] = ()) -> list[str]:
    """Four-digit account endings the text names: masked ("XXXXXX1010", "*1010") or after a
    word such as ENDING, ACCT, TO or SAVINGS. Dates and longer numbers (references) are not
    endings."""
    s = _DATES.sub(" ", _upper(text))
    found: list[str] = []
    for match in _ENDING.finditer(s):
        digits = match.group("digits")
        if digits in exclude or digits in found:
            continue
        before = s[: match.start()].split()[-2:]
        named = bool(match.group("mask")) or any(w.rstrip(":") in _BEFORE_ENDING for w in before)
        if named:
            found.append(digits)
    return found


def check_number(text: str) -> str | None:
    """The check number a line's words give ("CHECK #1045", "CHK 1045"), if any."""
    match = _CHECK.match(_upper(text))
    return match.group(1).lstrip("0") or match.group(1) if match else None
