"""zera.categorize on its own: payee names read from bank text, matched to existing names, the
history suggester, and the evidence for transfers, open items and duplicates. Pure: no
database, no HTTP."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zera.categorize import Booking, NameIndex, PayeeHistory, Txn, name_key, payee_name
from zera.categorize.duplicates import DuplicateIndex, Seen
from zera.categorize.movements import (
    account_endings,
    card_issuer_paid,
    card_payment,
    check_number,
    says_transfer,
)
from zera.categorize.open_items import OpenItem, OpenItems
from zera.categorize.transfers import Account, Line, OwnAccounts

D = Decimal
DAY = dt.date(2026, 11, 3)


# -- payee names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("HOME DEPOT #6621 CONF# 77A1", "Home Depot"),
        ("SQ *BLUE BOTTLE COFFEE", "Blue Bottle Coffee"),
        ("POS PURCHASE SQ *BLUE BOTTLE COFFEE 11/03 #4411", "Blue Bottle Coffee"),
        ("TST* JOE'S PIZZA 123", "Joe's Pizza"),
        ("PAYPAL *EBAY INC", "Ebay Inc"),
        ("AMZN MKTP US*2K3LL0ZZ1", "Amzn Mktp"),
        ("AMAZON.COM*RT4KX", "Amazon.com"),
        ("STARBUCKS STORE 12345 SEATTLE WA", "Starbucks"),
        ("LOWE'S #1234 SAN JOSE CA", "Lowe's"),
        ("DEBIT CARD PURCHASE XXXXXX1234 SHELL OIL 57444 OAKLAND CA", "Shell Oil"),
        ("CHECKCARD 1103 COSTCO WHSE #0123", "Costco Whse"),
        ("PURCHASE AUTHORIZED ON 11/03 CHEVRON 0209876 SAN RAMON CA S386", "Chevron"),
        ("7-ELEVEN 34221", "7-Eleven"),
        ("ACH DEBIT NORTHERN ELECTRIC COOPERATIVE INV 20418", "Northern Electric Cooperative"),
        ("ORIG CO NAME:ADP PAYROLL ORIG ID:9659605001 DESC DATE:261103 CO ENTRY DESCR:PAYROLL",
         "ADP Payroll"),
        ("WIRE TRANSFER INCOMING FROM GLOBAL PARTNERS LLC REF 7781 INVOICE 1042",
         "Global Partners LLC"),
        ("ZELLE PAYMENT TO JOHN SMITH JPM99AB12", "John Smith"),
        ("DEPOSIT ALDER CREEK HOA", "Alder Creek HOA"),
        ("UPS STORE 4411", "UPS"),
        ("VERIZON WIRELESS PAYMENT 11/03", "Verizon Wireless"),
        ("GOOGLE *GSUITE_ACME", "Google"),
        ("MAYFIELD DAIRY 12", "Mayfield Dairy"),
        ("SITEONE LANDSC 8812", "Siteone Landsc"),
        ("LANDLORD PROPERTY MGMT", "Landlord Property Mgmt"),
    ],
)  # fmt: skip
def test_a_merchants_name_is_read_from_the_banks_words(text: str, name: str) -> None:
    assert payee_name(text) == name


@pytest.mark.parametrize(
    "text",
    ["MOBILE DEPOSIT", "CHECK", "CHECK 1045", "PAYMENT THANK YOU", "TRANSFER FROM SAVINGS",
     "ONLINE TRANSFER TO SAVINGS ACCOUNT ENDING 9911 CONFIRMATION 55123", "CLIENT PAYMENT",
     "MONTHLY SERVICE FEE", "INTEREST PAYMENT", "ATM WITHDRAWAL 11/03 #0042", "", "   "],
)  # fmt: skip
def test_words_that_name_no_one_give_no_payee(text: str) -> None:
    assert payee_name(text) == ""


def test_a_payee_name_has_no_colon_and_at_most_500_characters() -> None:
    name = payee_name("SQ *" + "ACME: " * 200)

    assert ":" not in name and 0 < len(name) <= 500


def test_spellings_of_one_name_share_a_key() -> None:
    assert name_key("Lowe's Companies, Inc.") == name_key("LOWES COMPANIES") == (
        "lowes", "companies")  # fmt: skip
    assert name_key("The Pacific Gas & Electric Co") == name_key("PACIFIC GAS AND ELECTRIC")


# -- matching names --------------------------------------------------------------------------


VENDORS = NameIndex([
    ("1", "Home Depot Pro"), ("2", "SiteOne Landscape Supply"), ("3", "Shell"),
    ("4", "Lowe's"), ("5", "BP"), ("6", "Art Supply Co"), ("7", "Shell Oil"),
    ("8", "Chevron"), ("9", "Chevron Fleet"),
])  # fmt: skip


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("Home Depot", "1"),  # the company's name is longer
        ("Siteone Landsc", "2"),  # the bank cut it short
        ("Shell Oil", "7"),  # the exact name beats the shorter "Shell"
        ("Shell Oil Station", "7"),  # the longest name the text begins with
        ("Lowes", "4"),
        ("BP Gas", "5"),
        ("Chevron", "8"),
        ("Artisan Bakery", None),  # "Art" is not a word of it
        ("Ho", None),
        ("Walgreens", None),
    ],
)
def test_a_name_is_matched_to_the_one_existing_name_it_stands_for(
    name: str, found: str | None
) -> None:
    assert VENDORS.find(name) == found


def test_two_names_fitting_equally_well_match_neither() -> None:
    index = NameIndex([("1", "Acme Roofing"), ("2", "Acme Plumbing")])

    assert index.find("Acme") is None


# -- suggestions ------------------------------------------------------------------------------


ACCOUNTS = {"10": "Meals", "11": "Office Supplies", "12": "Fuel", "20": "Sales"}


def booking(payee: str, account: str, amount: str, day: int = 1) -> Booking:
    return Booking(payee, account, ACCOUNTS.get(account, "Old"), D(amount), DAY.replace(day=day))


def test_the_payees_most_frequent_account_is_suggested_with_its_share() -> None:
    history = PayeeHistory(
        [booking("Blue Bottle", "10", "-5"), booking("Blue Bottle", "10", "-6"),
         booking("BLUE BOTTLE", "11", "-40"), booking("Shell", "12", "-50")],
        ACCOUNTS,
    )  # fmt: skip

    found = history.suggest(Txn("Blue Bottle", "SQ *BLUE BOTTLE", D("-7.00"), DAY))

    assert [(r.account, r.confidence) for r in found.ranked] == [
        ("Meals", 0.667), ("Office Supplies", 0.333)]  # fmt: skip
    assert found.confidence == 0.667
    assert found.explanation == "2 of 3 Blue Bottle purchases went to Meals."


def test_money_in_learns_only_from_money_in() -> None:
    history = PayeeHistory(
        [booking("Acme", "11", "-10"), booking("Acme", "20", "100")], ACCOUNTS
    )

    found = history.suggest(Txn("Acme", "ACME", D("250.00"), DAY))

    assert [r.account for r in found.ranked] == ["Sales"]
    assert found.explanation == "1 of 1 Acme deposits went to Sales."


def test_nothing_known_gives_no_suggestion_and_says_so() -> None:
    history = PayeeHistory([booking("Shell", "12", "-50")], ACCOUNTS)

    unknown = history.suggest(Txn("Walgreens", "WALGREENS #12", D("-9.99"), DAY))
    nameless = history.suggest(Txn("", "CHECK 1045", D("-9.99"), DAY))

    assert unknown.ranked == () and unknown.confidence == 0
    assert "No purchases from Walgreens" in unknown.explanation
    assert nameless.ranked == () and "No payee" in nameless.explanation


def test_an_account_that_may_not_be_used_is_never_suggested_but_counts_in_the_share() -> None:
    history = PayeeHistory(
        [booking("Shell", "99", "-50"), booking("Shell", "99", "-40"),
         booking("Shell", "12", "-30")],
        ACCOUNTS,
    )  # fmt: skip

    found = history.suggest(Txn("Shell", "SHELL", D("-20"), DAY))

    assert [(r.account, r.confidence) for r in found.ranked] == [("Fuel", 0.333)]


# -- movements between own accounts ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "paid"),
    [("PAYMENT THANK YOU", True), ("AUTOPAY PAYMENT - THANK YOU", True),
     ("ONLINE PAYMENT RECEIVED", True), ("INTERNET PAYMENT - THANK YOU", True),
     ("AMAZON MKTPLACE RETURN", False), ("LATE PAYMENT FEE", False),
     ("STATEMENT CREDIT CASHBACK", False), ("BLUE BOTTLE COFFEE", False)],
)  # fmt: skip
def test_card_payment_words_are_told_from_refunds_and_fees(text: str, paid: bool) -> None:
    assert card_payment(text) is paid


@pytest.mark.parametrize(
    ("text", "issuer"),
    [("CHASE CREDIT CRD AUTOPAY PPD ID 4760039224", "Chase"),
     ("AMEX EPAYMENT ACH PMT W4702", "American Express"),
     ("CAPITAL ONE MOBILE PMT", "Capital One"),
     ("CARDMEMBER SERV WEB PYMT", ""),
     ("CHASE BANK MONTHLY SERVICE FEE", None),
     ("HOME DEPOT #6621", None)],
)  # fmt: skip
def test_a_bank_line_paying_a_card_names_its_issuer(text: str, issuer: str | None) -> None:
    assert card_issuer_paid(text) == issuer


def test_account_endings_are_masked_digits_or_digits_after_an_account_word() -> None:
    assert account_endings("ONLINE TRANSFER TO SAVINGS XXXXXX1010 CONF 55123") == ["1010"]
    assert account_endings("TRANSFER TO CHK ...2044 ON 11/03/2026") == ["2044"]
    assert account_endings("ACH DEBIT ACME 4760039224 REF 7781") == []
    assert account_endings("TRANSFER FROM ACCT 1010", exclude=("1010",)) == []


def test_transfer_words_are_told_from_payment_words() -> None:
    assert says_transfer("ONLINE BANKING TRANSFER CONF 88812")
    assert says_transfer("XFER TO SAVINGS")
    assert not says_transfer("ONLINE BILL PAYMENT VALLEY HAULING")


def test_a_check_number_is_read_from_the_words() -> None:
    assert check_number("CHECK #1045") == "1045"
    assert check_number("CHK 0987") == "987"
    assert check_number("CHECKCARD 1103 COSTCO") is None


def own_accounts(lines: list[Line]) -> OwnAccounts:
    checking = Account("35", "Business Checking", False, frozenset({"1000"}))
    savings = Account("36", "Business Savings", False, frozenset({"1010"}))
    visa = Account("41", "Chase Ink Visa", True, frozenset({"2100"}))
    return OwnAccounts(
        {"bank:1000": checking, "bank:1010": savings, "credit_card:2100": visa},
        [checking, savings, visa],
        lines,
    )


def test_the_opposite_amount_on_another_statement_is_the_other_side_of_a_transfer() -> None:
    out = Line(1, 0, "bank:1000", DAY, D("-500.00"), "ONLINE BANKING TRANSFER")
    into = Line(2, 7, "bank:1010", DAY + dt.timedelta(days=2), D("500.00"), "TRANSFER IN")
    own = own_accounts([out, into])

    found = own.movement(out)

    assert found is not None and found.counterpart == into
    assert found.other is not None and found.other.key == "bank:1010"
    assert found.other.account is not None and found.other.account.name == "Business Savings"


def test_a_purchase_and_a_deposit_of_one_amount_are_not_a_transfer() -> None:
    coffee = Line(1, 0, "credit_card:2100", DAY, D("-12.50"), "SQ *BLUE BOTTLE COFFEE")
    deposit = Line(2, 7, "bank:1000", DAY, D("12.50"), "MOBILE DEPOSIT")
    late = Line(3, 7, "bank:1010", DAY + dt.timedelta(days=4), D("12.50"), "TRANSFER IN")

    assert own_accounts([coffee, deposit]).movement(coffee) is None
    assert own_accounts([deposit, late]).movement(Line(
        9, 0, "bank:1000", DAY, D("-12.50"), "TRANSFER OUT")) is None  # fmt: skip


def test_a_line_naming_another_accounts_digits_moves_money_to_it() -> None:
    own = own_accounts([])

    found = own.movement(Line(1, 0, "bank:1000", DAY, D("-80"), "TRANSFER TO SAVINGS X1010"))

    assert found is not None and found.other is not None and found.other.key == "bank:1010"


def test_a_bank_line_paying_the_issuer_finds_the_card_named_for_it() -> None:
    own = own_accounts([])

    found = own.card_payment(Line(1, 0, "bank:1000", DAY, D("-300"), "CHASE CARD AUTOPAY"))

    assert found is not None and found.card
    assert found.other is not None and found.other.account is not None
    assert found.other.account.name == "Chase Ink Visa"


# -- open items and duplicates ---------------------------------------------------------------


def test_an_open_bill_is_matched_by_amount_and_payee_and_only_once() -> None:
    items = OpenItems([
        OpenItem("Bill", "71", DAY, D("733.15"), "5", "Granite Bay Pavers"),
        OpenItem("Bill", "72", DAY, D("733.15"), "6", "Valley Hauling"),
    ])  # fmt: skip
    later = DAY + dt.timedelta(days=9)

    assert items.find("Bill", D("-733.15"), later, name="") is None  # two of that amount
    first = items.find("Bill", D("-733.15"), later, payee_id="6")
    assert first is not None and first.id == "72"
    assert items.find("Bill", D("-733.15"), later, payee_id="6") is None  # already paid
    only = items.find("Bill", D("-733.15"), later, name="Granite Bay")
    assert only is not None and only.id == "71"


def test_an_open_invoice_is_matched_by_the_payees_initials() -> None:
    items = OpenItems([OpenItem("Invoice", "9", DAY, D("90"), "3", "Pacific Gas & Electric")])

    assert items.find("Invoice", D("90"), DAY, name="PGE") is not None


def test_a_duplicate_moves_the_same_amount_through_the_same_account_within_three_days() -> None:
    known = Seen({"acct:35": D("-182.40")}, DAY, payee_id="56", label="QuickBooks Purchase 812")
    index = DuplicateIndex([known])

    def probe(amount: str, days: int, payee_id: str = "", account: str = "acct:35") -> object:
        return index.find(Seen({account: D(amount)}, DAY + dt.timedelta(days=days),
                               payee_id=payee_id))  # fmt: skip

    assert probe("-182.40", 3) is known
    assert probe("-182.40", -2, payee_id="56") is known
    assert probe("-182.40", 4) is None
    assert probe("182.40", 0) is None  # money in is not the same as money out
    assert probe("-182.40", 0, account="acct:36") is None
    assert probe("-182.40", 0, payee_id="57") is None


def test_both_sides_of_a_transfer_are_the_same_transaction() -> None:
    from_checking = Seen({"acct:35": D("-500"), "acct:36": D("500")}, DAY, label="record 1")
    from_savings = Seen({"acct:36": D("500"), "stmt:bank:1000": D("-500")}, DAY)

    assert DuplicateIndex([from_checking]).find(from_savings) is from_checking
