"""The customer side of a seeded year: estimates, invoices, sales receipts, credit memos,
payments applied to invoices, and deposits sweeping Undeposited Funds into the bank.

Payments are planned when an invoice is written (on time, late, in two parts, or never) and made
when their day comes, so open balances and LinkedTxn always agree and nothing is over-paid.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from .book import CENT, ZERO, Book, Record
from .catalog import ITEMS

__all__ = ["Sales"]

MEMO = {"value": "Thank you for your business!"}
USD = {"value": "USD", "name": "United States Dollar"}


class Sales:
    def __init__(self, book: Book) -> None:
        self.book = book
        self.rng = book.rng
        self.customers = book.records["Customer"]
        self.services = [book.by_key("Item", s.name) for s in ITEMS if s.type == "Service"]
        self.materials = [book.by_key("Item", s.name) for s in ITEMS if s.type != "Service"]
        self.qty = {book.by_key("Item", s.name)["Id"]: (s.qty_low, s.qty_high) for s in ITEMS}
        self.due_payments: dict[date, list[tuple[Record, Decimal]]] = defaultdict(list)
        self.conversions: dict[date, list[Record]] = defaultdict(list)
        self.undeposited: list[tuple[str, Record]] = []  # (entity, record) awaiting a deposit
        self.numbers = {"Invoice": 1001, "Estimate": 5001, "CreditMemo": 7001, "SalesReceipt": 9001}

    def day(self, on: date) -> None:
        rng, book = self.rng, self.book
        weekday = on.weekday() < 5
        if weekday and book.chance(0.35):
            self._estimate(on)
        for estimate in self.conversions.pop(on, []):
            self._invoice(on, estimate["CustomerRef"]["value"], estimate)
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3)) if weekday else 0):
            self._invoice(on, rng.choice(self.customers)["Id"])
        if book.chance(0.7 if weekday else 0.25):
            self._sales_receipt(on)
        if weekday and book.chance(0.1):
            self._credit_memo(on)
        self._payments(on)
        if on.weekday() in (1, 4) and self.undeposited:
            self._deposit(on)

    # forms -----------------------------------------------------------------------------------

    def _number(self, entity: str) -> str:
        self.numbers[entity] += 1
        return str(self.numbers[entity] - 1)

    def _lines(self, on: date, customer: Record) -> list[Record]:
        book = self.book
        picks = [self.rng.choice(self.services)]
        picks += self.rng.sample(self.materials, self.rng.choice((0, 0, 1, 1, 2, 3)))
        if book.chance(0.3):
            picks.append(self.rng.choice(self.services))
        class_ref = book.ref(book.by_key("Class", _class_of(customer)))
        lines = []
        for n, item in enumerate(dict.fromkeys(i["Id"] for i in picks), start=1):
            record = book.get("Item", item)
            low, high = self.qty[item]
            qty = self.rng.randint(low, high)
            amount = (record["UnitPrice"] * qty).quantize(CENT)
            lines.append({
                "Id": str(n), "LineNum": n, "Description": record["Description"],
                "Amount": amount, "DetailType": "SalesItemLineDetail",
                "SalesItemLineDetail": {
                    "ItemRef": book.ref(record), "UnitPrice": record["UnitPrice"], "Qty": qty,
                    "TaxCodeRef": {"value": "TAX" if record["Taxable"] else "NON"},
                    "ClassRef": class_ref, "ServiceDate": str(on),
                },
            })  # fmt: skip
        return lines

    def _form(self, entity: str, on: date, customer_id: str, lines: list[Record]) -> Record:
        """The fields every sales form shares, with tax and TotalAmt computed from the lines."""
        book = self.book
        customer = book.get("Customer", customer_id)
        subtotal = sum((line["Amount"] for line in lines), ZERO)
        tax = self._tax(customer, lines)
        all_lines = [*lines, {"Amount": subtotal, "DetailType": "SubTotalLineDetail",
                              "SubTotalLineDetail": {}}]  # fmt: skip
        department = "Oakland Yard" if tax.get("TxnTaxCodeRef", {}).get("name", "").startswith(
            "Alameda") else "San Jose Yard"  # fmt: skip
        return {
            "DocNumber": self._number(entity), "TxnDate": str(on),
            "DepartmentRef": book.ref(book.by_key("Department", department)),
            "CurrencyRef": USD, "LinkedTxn": [], "Line": all_lines, "TxnTaxDetail": tax,
            "CustomerRef": book.ref(customer, "DisplayName"), "CustomerMemo": MEMO,
            "BillAddr": customer["BillAddr"], "ShipAddr": customer["ShipAddr"],
            "TotalAmt": subtotal + tax["TotalTax"], "ApplyTaxAfterDiscount": False,
            "PrintStatus": "NotSet", "EmailStatus": "EmailSent",
            "BillEmail": customer["PrimaryEmailAddr"],
        }  # fmt: skip

    def _tax(self, customer: Record, lines: list[Record]) -> Record:
        book = self.book
        code = book.customer_tax_code[customer["Id"]]
        taxable = sum((line["Amount"] for line in lines
                       if line["SalesItemLineDetail"]["TaxCodeRef"]["value"] == "TAX"), ZERO)
        tax_lines = []
        for detail in code["SalesTaxRateList"]["TaxRateDetail"]:
            rate = book.get("TaxRate", detail["TaxRateRef"]["value"])
            amount = (taxable * rate["RateValue"] / 100).quantize(CENT, ROUND_HALF_UP)
            tax_lines.append({"Amount": amount, "DetailType": "TaxLineDetail", "TaxLineDetail": {
                "TaxRateRef": book.ref(rate), "PercentBased": True,
                "TaxPercent": rate["RateValue"], "NetAmountTaxable": taxable}})  # fmt: skip
        total = sum((line["Amount"] for line in tax_lines), ZERO)
        return {"TxnTaxCodeRef": book.ref(code), "TotalTax": total, "TaxLine": tax_lines}

    def _post_sale(self, form: Record, debit_account: Record) -> None:
        book = self.book
        book.post(debit_account, form["TotalAmt"])
        for line in form["Line"]:
            if line["DetailType"] == "SalesItemLineDetail":
                item = book.get("Item", line["SalesItemLineDetail"]["ItemRef"]["value"])
                book.post(book.get("Account", item["IncomeAccountRef"]["value"]), -line["Amount"])
        book.post(book.account("sales_tax"), -form["TxnTaxDetail"]["TotalTax"])

    # documents -------------------------------------------------------------------------------

    def _estimate(self, on: date) -> None:
        book = self.book
        customer = self.rng.choice(self.customers)
        form = self._form("Estimate", on, customer["Id"], self._lines(on, customer))
        form |= {"TxnStatus": "Pending", "ExpirationDate": str(on + timedelta(days=30))}
        estimate = book.add("Estimate", form, on)
        if book.chance(0.55):
            accepted = on + timedelta(days=self.rng.randint(3, 20))
            if accepted <= book.today:
                estimate["AcceptedDate"] = str(accepted)
                estimate["AcceptedBy"] = customer["DisplayName"]
                self.conversions[accepted].append(estimate)
        elif (book.today - on).days > 30 and book.chance(0.4):
            estimate["TxnStatus"] = "Rejected"

    def _invoice(self, on: date, customer_id: str, estimate: Record | None = None) -> None:
        book = self.book
        customer = book.get("Customer", customer_id)
        lines = [dict(line) for line in estimate["Line"][:-1]] if estimate else self._lines(
            on, customer)  # fmt: skip
        form = self._form("Invoice", on, customer_id, lines)
        term = book.get("Term", customer["SalesTermRef"]["value"])
        due = on + timedelta(days=term["DueDays"])
        form |= {"SalesTermRef": customer["SalesTermRef"], "DueDate": str(due),
                 "Balance": form["TotalAmt"]}  # fmt: skip
        invoice = book.add("Invoice", form, on)
        self._post_sale(invoice, book.account("ar"))
        if estimate is not None:
            invoice["LinkedTxn"].append({"TxnId": estimate["Id"], "TxnType": "Estimate"})
            estimate["LinkedTxn"].append({"TxnId": invoice["Id"], "TxnType": "Invoice"})
            estimate["TxnStatus"] = "Closed"
            book.touch(estimate, on)
        self._plan_payment(invoice, on, due)

    def _plan_payment(self, invoice: Record, on: date, due: date) -> None:
        book = self.book
        if book.chance(0.08):
            return  # a customer who has not paid (yet)
        pay_on = max(on + timedelta(days=1), due + timedelta(days=self.rng.randint(-10, 25)))
        total = invoice["TotalAmt"]
        parts = [total]
        if book.chance(0.1):
            first = (total * Decimal(self.rng.randint(30, 70)) / 100).quantize(CENT)
            parts = [first, total - first]
        for n, amount in enumerate(parts):
            when = pay_on + timedelta(days=30 * n)
            if when <= book.today:
                self.due_payments[when].append((invoice, amount))

    def _sales_receipt(self, on: date) -> None:
        book = self.book
        customer = self.rng.choice(self.customers)
        lines = self._lines(on, customer)[:2]
        form = self._form("SalesReceipt", on, customer["Id"], lines)
        method = self.rng.choice(("Cash", "Check", "Visa", "MasterCard", "American Express"))
        form |= {"PaymentMethodRef": book.ref(book.by_key("PaymentMethod", method)),
                 "DepositToAccountRef": book.ref(book.account("undeposited")),
                 "Balance": ZERO}  # fmt: skip
        if method == "Check":
            form["PaymentRefNum"] = str(self.rng.randint(1000, 9999))
        receipt = book.add("SalesReceipt", form, on)
        self._post_sale(receipt, book.account("undeposited"))
        self.undeposited.append(("SalesReceipt", receipt))

    def _credit_memo(self, on: date) -> None:
        book = self.book
        customer = self.rng.choice(self.customers)
        item = self.rng.choice(self.services)
        amount = book.money(40, 400)
        line = {"Id": "1", "LineNum": 1, "Description": f"Credit: {item['Name']}",
                "Amount": amount, "DetailType": "SalesItemLineDetail", "SalesItemLineDetail": {
                    "ItemRef": book.ref(item), "UnitPrice": amount, "Qty": 1,
                    "TaxCodeRef": {"value": "NON"}}}  # fmt: skip
        form = self._form("CreditMemo", on, customer["Id"], [line])
        # Credits stay unapplied: the customer's balance is lowered by what remains.
        form |= {"RemainingCredit": form["TotalAmt"], "Balance": form["TotalAmt"]}
        memo = book.add("CreditMemo", form, on)
        book.post(book.account("ar"), -memo["TotalAmt"])
        book.post(book.get("Account", item["IncomeAccountRef"]["value"]), memo["TotalAmt"])

    def _payments(self, on: date) -> None:
        by_customer: dict[str, list[tuple[Record, Decimal]]] = defaultdict(list)
        for invoice, amount in self.due_payments.pop(on, []):
            by_customer[invoice["CustomerRef"]["value"]].append((invoice, amount))
        for customer_id, claims in by_customer.items():
            lines = []
            for invoice, wanted in claims:
                amount = min(wanted, invoice["Balance"])  # never more than is still open
                if amount <= 0:
                    continue
                lines.append({"Amount": amount, "LinkedTxn": [
                    {"TxnId": invoice["Id"], "TxnType": "Invoice"}]})  # fmt: skip
            if not lines:
                continue
            self._payment(on, customer_id, lines)

    def _payment(self, on: date, customer_id: str, lines: list[Record]) -> None:
        book = self.book
        total = sum((line["Amount"] for line in lines), ZERO)
        method = self.rng.choice(("Check", "Check", "ACH", "Visa", "MasterCard"))
        to_bank = book.chance(0.2)
        deposit_to = book.account("checking" if to_bank else "undeposited")
        payment = book.add("Payment", {
            "TxnDate": str(on), "CurrencyRef": USD, "Line": lines,
            "CustomerRef": book.ref(book.get("Customer", customer_id), "DisplayName"),
            "ARAccountRef": book.ref(book.account("ar")), "DepositToAccountRef": book.ref(
                deposit_to), "PaymentMethodRef": book.ref(book.by_key("PaymentMethod", method)),
            "PaymentRefNum": str(self.rng.randint(1000, 99999)), "TotalAmt": total,
            "UnappliedAmt": ZERO, "ProcessPayment": False,
        }, on)  # fmt: skip
        for line in lines:
            invoice = book.get("Invoice", line["LinkedTxn"][0]["TxnId"])
            invoice["Balance"] -= line["Amount"]
            invoice["LinkedTxn"].append({"TxnId": payment["Id"], "TxnType": "Payment"})
            book.touch(invoice, on)
        book.post(deposit_to, total)
        book.post(book.account("ar"), -total)
        if not to_bank:
            self.undeposited.append(("Payment", payment))

    def _deposit(self, on: date) -> None:
        book = self.book
        lines = [
            {"Amount": source["TotalAmt"], "LinkedTxn": [
                {"TxnId": source["Id"], "TxnType": kind, "TxnLineId": "0"}]}
            for kind, source in self.undeposited
        ]  # fmt: skip
        total = sum((line["Amount"] for line in lines), ZERO)
        checking = book.account("checking")
        book.add("Deposit", {
            "TxnDate": str(on), "CurrencyRef": USD, "Line": lines,
            "DepositToAccountRef": book.ref(checking), "TotalAmt": total,
        }, on)  # fmt: skip
        book.post(checking, total)
        book.post(book.account("undeposited"), -total)
        self.undeposited = []

    def interest(self, on: date) -> None:
        """The savings account's monthly interest, a deposit with no linked payment."""
        book = self.book
        amount = book.money(4, 38)
        savings, income = book.account("savings"), book.account("inc_interest")
        book.add("Deposit", {
            "TxnDate": str(on), "CurrencyRef": USD, "DepositToAccountRef": book.ref(savings),
            "TotalAmt": amount, "Line": [{"Id": "1", "LineNum": 1, "Amount": amount,
                                          "Description": "Interest",
                                          "DetailType": "DepositLineDetail",
                                          "DepositLineDetail": {"AccountRef": book.ref(income)}}],
        }, on)  # fmt: skip
        book.post(savings, amount)
        book.post(income, -amount)


def _class_of(customer: Record) -> str:
    if "CompanyName" not in customer:
        return "Residential"
    return "HOA" if customer["CompanyName"].endswith(("Trust", "Apartments")) else "Commercial"
