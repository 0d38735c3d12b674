"""Proposals: each line of a stored statement batch becomes the record it most likely is, with
its payee, a category suggestion, a confidence and flags for what the reviewer must look at.

The statement's account is matched once per client to a QuickBooks Bank or Credit Card account
(by its last four digits in the account's name or number), else asked once on Review and
remembered. Then, for each line, the strongest evidence wins:

1. money moved between two of the client's own accounts (the opposite amount on another of its
   statements within three days, or the line naming another account's last digits): a Transfer,
   or a CreditCardPayment when a bank account pays a card (`zera.categorize.transfers`);
2. an open bill (money out) or invoice (money in) of that amount for the payee the line names:
   a BillPayment or Payment linked to it (`zera.categorize.open_items`);
3. card-payment words on a card ("PAYMENT THANK YOU"), or a bank line paying a card issuer: a
   CreditCardPayment;
4. an open bill or invoice of that amount when the line names no payee that says otherwise
   and no transfer;
5. otherwise money out is a Purchase (Check with its number, Cash, or CreditCard with refunds
   as credits) and money in a Deposit, its payee matched to an existing name or proposed as a
   new one, its category the suggester's first choice.

Every proposal is compared with the client's QuickBooks history and its other records: a likely
duplicate is flagged (and kept below the bulk-approval confidence), never dropped. Everything is
read once per batch and indexed by amount, so a line costs no query.

The parts: `accounts` (statement accounts matched, remembered and asked), `books` (what a batch
reads once), `proposer` (the decision for one line), `duplicates` (likely duplicates flagged)
and `batch` (`propose_batch`: the records made, kept and stored)."""

from __future__ import annotations

from zera.review.proposals.accounts import (
    account_kind,
    match_account,
    remember_statement_account,
    remembered_accounts,
    statement_accounts_to_ask,
    statement_key,
    statement_label,
)
from zera.review.proposals.batch import propose_batch

__all__ = [
    "account_kind",
    "match_account",
    "propose_batch",
    "remember_statement_account",
    "remembered_accounts",
    "statement_accounts_to_ask",
    "statement_key",
    "statement_label",
]
