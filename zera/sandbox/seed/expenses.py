"""The vendor side of a seeded year: bills and their payments, vendor credits, purchase orders,
card, cash and check purchases.

Bill payments are planned when a bill arrives, like customer payments, so a bill's Balance is
always its TotalAmt minus what BillPayments linked to it applied.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from .book import CENT, ZERO, Book, Record
from .catalog import ITEMS, VENDORS, VendorSpec

__all__ = ["Expenses"]

USD = {"value": "USD", "name": "United States Dollar"}
# Spend that arrives once a month on a bill rather than at random.
MONTHLY_ACCOUNTS = frozenset({"exp_utilities", "exp_phone", "exp_insurance", "exp_uniforms"})
_WHAT = ("", "", "supplies", "fees")  # what a second or third line on a bill is for


class Expenses:
    def __init__(self, book: Book) -> None:
        self.book = book
        self.rng = book.rng
        present = {record["DisplayName"] for record in book.records["Vendor"]}
        self.specs = {spec.name: spec for spec in VENDORS if spec.name in present}
        self.vendors = {name: book.by_key("Vendor", name) for name in self.specs}
        by_channel: dict[str, list[str]] = defaultdict(list)
        for spec in self.specs.values():
            monthly = spec.account in MONTHLY_ACCOUNTS and spec.channel == "bill"
            by_channel["monthly" if monthly else spec.channel].append(spec.name)
        self.channels = by_channel
        self.suppliers = [n for n in by_channel["bill"]
                          if self.specs[n].account == "cogs_materials"]  # fmt: skip
        self.materials = [book.by_key("Item", s.name) for s in ITEMS if s.type == "NonInventory"]
        # A supplier order restocks a few jobs' worth of an item.
        self.restock = {book.by_key("Item", s.name)["Id"]: (s.qty_low * 2, s.qty_high * 2)
                        for s in ITEMS if s.type == "NonInventory"}  # fmt: skip
        self.due_payments: dict[date, list[tuple[Record, Decimal]]] = defaultdict(list)
        self.check_number = 2001

    def day(self, on: date) -> None:
        book, rng = self.book, self.rng
        weekday = on.weekday() < 5
        for position, name in enumerate(self.channels["monthly"]):
            if on.day == 3 + 2 * position:
                self._bill(on, name)
        if weekday and self.channels["bill"]:
            for _ in range(rng.choice((0, 0, 1, 1, 1, 2))):
                self._bill(on, rng.choice(self.channels["bill"]))
        if weekday and self.suppliers and book.chance(0.2):
            self._purchase_order(on)
        if weekday and self.suppliers and book.chance(0.05):
            self._vendor_credit(on)
        for _ in range(rng.choice((1, 2, 2, 3, 3, 4)) if weekday else rng.choice((0, 1))):
            if self.channels["card"]:
                self._purchase(on, rng.choice(self.channels["card"]))
        for name in self.channels["check"]:
            spec = self.specs[name]
            rent = spec.account == "exp_rent"
            if (rent and on.day == 1) or (not rent and weekday and book.chance(0.03)):
                self._purchase(on, name, paid_by="Check")
        self._bill_payments(on)

    # helpers -----------------------------------------------------------------------------------

    def _account_lines(self, spec: VendorSpec, total: Decimal) -> list[Record]:
        """One to three expense lines to the vendor's usual account that add up to `total`."""
        book = self.book
        account = book.account(spec.account)
        count = 1 if total < 100 else self.rng.choice((1, 1, 1, 2, 3))
        amounts = _split(total, count, self.rng.randint(1, 10_000))
        return [
            {"Id": str(n), "LineNum": n, "Description": f"{spec.name} {_WHAT[n]}".strip(),
             "Amount": amount,
             "DetailType": "AccountBasedExpenseLineDetail", "AccountBasedExpenseLineDetail": {
                 "AccountRef": book.ref(account), "BillableStatus": "NotBillable",
                 "TaxCodeRef": {"value": "NON"}}}
            for n, amount in enumerate(amounts, start=1)
        ]  # fmt: skip

    def _item_lines(self) -> list[Record]:
        book = self.book
        lines = []
        for n, item in enumerate(self.rng.sample(self.materials, self.rng.randint(1, 3)), start=1):
            qty = self.rng.randint(*self.restock[item["Id"]])
            lines.append({
                "Id": str(n), "LineNum": n, "Description": item["PurchaseDesc"],
                "Amount": (item["PurchaseCost"] * qty).quantize(CENT),
                "DetailType": "ItemBasedExpenseLineDetail", "ItemBasedExpenseLineDetail": {
                    "ItemRef": book.ref(item), "UnitPrice": item["PurchaseCost"], "Qty": qty,
                    "BillableStatus": "NotBillable", "TaxCodeRef": {"value": "NON"}},
            })  # fmt: skip
        return lines

    def _post_expense_lines(self, lines: list[Record], sign: int) -> None:
        book = self.book
        for line in lines:
            if line["DetailType"] == "ItemBasedExpenseLineDetail":
                item = book.get("Item", line["ItemBasedExpenseLineDetail"]["ItemRef"]["value"])
                account = book.get("Account", item["ExpenseAccountRef"]["value"])
            else:
                ref = line["AccountBasedExpenseLineDetail"]["AccountRef"]
                account = book.get("Account", ref["value"])
            book.post(account, sign * line["Amount"])

    # documents ---------------------------------------------------------------------------------

    def _bill(self, on: date, name: str) -> None:
        book = self.book
        spec, vendor = self.specs[name], self.vendors[name]
        if spec.account == "cogs_materials" and book.chance(0.5):
            lines = self._item_lines()
        else:
            lines = self._account_lines(spec, book.money(spec.low, spec.high))
        total = sum((line["Amount"] for line in lines), ZERO)
        due = on + timedelta(days=book.get("Term", vendor["TermRef"]["value"])["DueDays"])
        bill = book.add("Bill", {
            "DocNumber": book.doc_number("Bill", "", 10000, 99999), "TxnDate": str(on),
            "CurrencyRef": USD, "LinkedTxn": [], "Line": lines,
            "VendorRef": book.ref(vendor, "DisplayName"),
            "APAccountRef": book.ref(book.account("ap")), "TotalAmt": total,
            "SalesTermRef": vendor["TermRef"], "DueDate": str(due), "Balance": total,
        }, on)  # fmt: skip
        self._post_expense_lines(lines, 1)
        book.post(book.account("ap"), -total)
        if book.chance(0.07):
            return  # still owed
        pay_on = max(on, due - timedelta(days=self.rng.randint(0, 10)))
        parts = [total]
        if book.chance(0.15):
            first = (total / 2).quantize(CENT)
            parts = [first, total - first]
        later = timedelta(days=self.rng.randint(30, 60))
        for n, amount in enumerate(parts):
            when = pay_on + later * n
            if when <= book.today:
                self.due_payments[when].append((bill, amount))

    def _bill_payments(self, on: date) -> None:
        book = self.book
        by_vendor: dict[str, list[tuple[Record, Decimal]]] = defaultdict(list)
        for bill, amount in self.due_payments.pop(on, []):
            by_vendor[bill["VendorRef"]["value"]].append((bill, amount))
        for vendor_id, claims in by_vendor.items():
            lines = [{"Amount": min(amount, bill["Balance"]), "LinkedTxn": [
                {"TxnId": bill["Id"], "TxnType": "Bill"}]} for bill, amount in claims
                if bill["Balance"] > 0]  # fmt: skip
            if not lines:
                continue
            total = sum((line["Amount"] for line in lines), ZERO)
            payload: Record = {
                "TxnDate": str(on), "CurrencyRef": USD, "Line": lines,
                "VendorRef": book.ref(book.get("Vendor", vendor_id), "DisplayName"),
                "APAccountRef": book.ref(book.account("ap")), "TotalAmt": total,
            }  # fmt: skip
            if book.chance(0.8):
                paid_from = book.account("checking")
                payload |= {"DocNumber": self._check(), "PayType": "Check", "CheckPayment": {
                    "BankAccountRef": book.ref(paid_from), "PrintStatus": "PrintComplete"}}
            else:
                paid_from = book.account("visa")
                payload |= {"PayType": "CreditCard",
                            "CreditCardPayment": {"CCAccountRef": book.ref(paid_from)}}
            payment = book.add("BillPayment", payload, on)
            for line in lines:
                bill = book.get("Bill", line["LinkedTxn"][0]["TxnId"])
                bill["Balance"] -= line["Amount"]
                bill["LinkedTxn"].append({"TxnId": payment["Id"], "TxnType": "BillPayment"})
                book.touch(bill, on)
            book.post(book.account("ap"), total)
            book.post(paid_from, -total)

    def _check(self) -> str:
        self.check_number += 1
        return str(self.check_number - 1)

    def _vendor_credit(self, on: date) -> None:
        book = self.book
        name = self.rng.choice(self.suppliers)
        lines = self._account_lines(self.specs[name], book.money(25, 450))[:1]
        total = lines[0]["Amount"]
        book.add("VendorCredit", {
            "DocNumber": book.doc_number("VendorCredit", "RMA-", 1000, 9999), "TxnDate": str(on),
            "CurrencyRef": USD, "Line": lines,
            "VendorRef": book.ref(self.vendors[name], "DisplayName"),
            "APAccountRef": book.ref(book.account("ap")), "TotalAmt": total, "Balance": total,
            "PrivateNote": "Returned materials",
        }, on)  # fmt: skip
        book.post(book.account("ap"), total)
        self._post_expense_lines(lines, -1)

    def _purchase_order(self, on: date) -> None:
        book = self.book
        name = self.rng.choice(self.suppliers)
        lines = self._item_lines()
        status = "Closed" if (book.today - on).days > 30 else "Open"
        book.add("PurchaseOrder", {
            "DocNumber": f"PO-{len(book.records['PurchaseOrder']) + 1001}", "TxnDate": str(on),
            "CurrencyRef": USD, "Line": lines,
            "VendorRef": book.ref(self.vendors[name], "DisplayName"),
            "APAccountRef": book.ref(book.account("ap")),
            "TotalAmt": sum((line["Amount"] for line in lines), ZERO),
            "POStatus": status, "ManuallyClosed": False, "EmailStatus": "EmailSent",
            "POEmail": {"Address": self.vendors[name]["PrimaryEmailAddr"]["Address"]},
            "DueDate": str(on + timedelta(days=7)),
        }, on)  # fmt: skip

    def _purchase(self, on: date, name: str, paid_by: str | None = None) -> None:
        book = self.book
        spec, vendor = self.specs[name], self.vendors[name]
        if paid_by is None:
            # Only small spend comes out of the petty cash box.
            paid_by = "Cash" if spec.high <= 200 and book.chance(0.15) else "CreditCard"
        account = {"Check": "checking", "Cash": "petty_cash",
                   "CreditCard": "visa" if book.chance(0.6) else "amex"}[paid_by]  # fmt: skip
        lines = self._account_lines(spec, book.money(spec.low, spec.high))
        total = sum((line["Amount"] for line in lines), ZERO)
        refund = paid_by == "CreditCard" and book.chance(0.015)
        payload: Record = {
            "TxnDate": str(on), "CurrencyRef": USD, "Line": lines, "PaymentType": paid_by,
            "AccountRef": book.ref(book.account(account)), "EntityRef": {
                **book.ref(vendor, "DisplayName"), "type": "Vendor"},
            "TotalAmt": total, "Credit": refund, "PrintStatus": "NotSet",
        }  # fmt: skip
        if paid_by == "Check":
            payload["DocNumber"] = self._check()
            payload["PrintStatus"] = "PrintComplete"
        book.add("Purchase", payload, on)
        sign = -1 if refund else 1
        self._post_expense_lines(lines, sign)
        book.post(book.account(account), -sign * total)


def _split(total: Decimal, parts: int, salt: int) -> list[Decimal]:
    """`total` cut into `parts` positive cent amounts that add up exactly."""
    if parts == 1 or total < Decimal(parts):
        return [total]
    weights = [(salt * (n + 3)) % 7 + 2 for n in range(parts)]
    shares = [(total * w / sum(weights)).quantize(CENT) for w in weights[:-1]]
    return [*shares, total - sum(shares, ZERO)]
