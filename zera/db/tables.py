"""The database tables. Domain modules query them; routes never do."""

from __future__ import annotations

import uuid
from decimal import Decimal

from piccolo.columns import (
    JSON,
    UUID,
    Boolean,
    Bytea,
    Date,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    OnDelete,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class Firm(Table, tablename="firm"):
    """The accounting firm that owns this installation (exactly one)."""

    id = Serial(primary_key=True)
    name = Varchar(length=200)
    created_at = Timestamptz(default=TimestamptzNow())


class User(Table, tablename="firm_user"):
    """A person at the firm who signs in. `role` is 'owner' or 'staff'."""

    id = Serial(primary_key=True)
    email = Varchar(length=254, unique=True)
    name = Varchar(length=200)
    password_hash = Text()
    role = Varchar(length=16, default="staff")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class LoginGuard(Table, tablename="login_guard"):
    """Failed sign-ins per email address, for lockout (kept for unknown addresses too)."""

    id = Serial(primary_key=True)
    email = Varchar(length=254, unique=True)
    failures = Integer(default=0)
    locked_until = Timestamptz(null=True, default=None)
    last_attempt_at = Timestamptz(null=True, default=None)  # rows quiet for a window expire


class SignInSource(Table, tablename="sign_in_source"):
    """Failed sign-ins per source address in the current window, to rate-limit their audit."""

    id = Serial(primary_key=True)
    ip = Varchar(length=64, unique=True)
    failures = Integer(default=0)
    last_failure_at = Timestamptz()


class Session(Table, tablename="web_session"):
    """A server-side session; the cookie holds a random value, the table only its SHA-256."""

    id = Serial(primary_key=True)
    token_hash = Varchar(length=64, unique=True)
    user = ForeignKey(references=User)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()


class Client(Table, tablename="client"):
    """A business whose books the firm keeps."""

    id = Serial(primary_key=True)
    name = Varchar(length=200)
    archived = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    last_activity_at = Timestamptz(default=TimestamptzNow())


class ClientAccess(Table, tablename="client_access"):
    """A staff member assigned to a client. Owners see every client without rows here."""

    id = Serial(primary_key=True)
    user = ForeignKey(references=User)
    client = ForeignKey(references=Client)


class AuditEvent(Table, tablename="audit_event"):
    """Append-only record of who did what; a database trigger refuses updates and deletes."""

    id = Serial(primary_key=True)
    at = Timestamptz(default=TimestamptzNow())
    user_id = Integer(null=True, default=None)
    user_email = Varchar(length=254, default="")
    action = Varchar(length=64)
    client_id = Integer(null=True, default=None)
    detail = JSON(default="{}")
    ip = Varchar(length=64, default="")


class Job(Table, tablename="job"):
    """One unit of background work and its visible state."""

    id = UUID(primary_key=True, default=uuid.uuid4)
    actor = Varchar(length=100)
    title = Varchar(length=200, default="")
    client_id = Integer(null=True, default=None)
    state = Varchar(length=16, default="queued")  # queued, running, done, failed
    progress = Integer(default=0)  # 0..100
    attempts = Integer(default=0)
    error = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    started_at = Timestamptz(null=True, default=None)
    finished_at = Timestamptz(null=True, default=None)


class QBOConnection(Table, tablename="qbo_connection"):
    """A client's link to one QuickBooks company. Tokens are encrypted (zera.qbo.vault)."""

    id = Serial(primary_key=True)
    client_id = Integer(unique=True)
    realm_id = Varchar(length=32, unique=True)
    company_name = Varchar(length=200, default="")
    status = Varchar(length=24, default="connected")  # connected, needs_reconnect
    access_token = Text(default="")
    access_expires_at = Timestamptz(null=True, default=None)
    refresh_token = Text(default="")
    refresh_expires_at = Timestamptz(null=True, default=None)
    refreshed_at = Timestamptz(null=True, default=None)
    refresh_count = Integer(default=0)
    connected_at = Timestamptz(default=TimestamptzNow())
    last_error = Text(default="")
    # Intuit's x_refresh_token_hard_expires_in: past it the user must connect again (5 years).
    refresh_hard_expires_at = Timestamptz(null=True, default=None)


class OAuthState(Table, tablename="qbo_oauth_state"):
    """A pending authorization: single-use, bound to one session and one client, short-lived."""

    id = Serial(primary_key=True)
    state_hash = Varchar(length=64, unique=True)
    session_hash = Varchar(length=64)
    client_id = Integer()
    user_id = Integer()
    expires_at = Timestamptz()


class QBORateEvent(Table, tablename="qbo_rate_event"):
    """One request sent to a realm, for the per-minute limits shared by every process."""

    id = Serial(primary_key=True)
    realm_id = Varchar(length=32, index=True)
    kind = Varchar(length=8)  # call, batch
    at = Float()


class QBOUsage(Table, tablename="qbo_usage"):
    """Requests sent to a realm per calendar month (UTC), for the sync health page."""

    id = Serial(primary_key=True)
    realm_id = Varchar(length=32)
    month = Varchar(length=7)  # YYYY-MM
    calls = Integer(default=0)


class QBOInFlight(Table, tablename="qbo_in_flight"):
    """A request to a realm under way, for the concurrency limit; expires if its process died."""

    id = Serial(primary_key=True)
    realm_id = Varchar(length=32, index=True)
    expires_at = Float()


class QBOReference(Table, tablename="qbo_reference"):
    """The local mirror of a client's name lists, chart of accounts, CompanyInfo and Preferences."""

    id = Serial(primary_key=True)
    client_id = Integer(index=True)
    entity = Varchar(length=32)
    qbo_id = Varchar(length=32)
    sync_token = Varchar(length=16, default="0")
    name = Varchar(length=400, default="")
    active = Boolean(default=True)
    payload = JSON(default="{}")
    updated_at = Timestamptz(default=TimestamptzNow())


class QBOTransaction(Table, tablename="qbo_transaction"):
    """A transaction pulled from QuickBooks history, for categorization and duplicate checks."""

    id = Serial(primary_key=True)
    client_id = Integer(index=True)
    entity = Varchar(length=32)
    qbo_id = Varchar(length=32)
    sync_token = Varchar(length=16, default="0")
    txn_date = Date(null=True, default=None)
    total = Numeric(digits=(18, 2), null=True, default=None)
    deleted = Boolean(default=False)
    payload = JSON(default="{}")
    updated_at = Timestamptz(default=TimestamptzNow())


class QBOSyncState(Table, tablename="qbo_sync_state"):
    """Where each pull stands per client: the CDC watermark and the history pull's progress."""

    id = Serial(primary_key=True)
    client_id = Integer()
    kind = Varchar(length=32)  # reference, history:<Entity>
    cursor = Text(default="")
    synced_at = Timestamptz(null=True, default=None)


class WebhookInbox(Table, tablename="qbo_webhook_inbox"):
    """A verified Intuit webhook body, kept as received until its changes are applied."""

    id = Serial(primary_key=True)
    received_at = Timestamptz(default=TimestamptzNow())
    realm_id = Varchar(length=32, index=True)
    body = Text()
    processed = Boolean(default=False)


class WebhookNotice(Table, tablename="qbo_webhook_notice"):
    """One change a stored webhook body announced: the entity, its Id, the operation and when.

    Kept (not only the realm) so the merge engine knows which records changed; `processed` is set
    by the apply job that covered its inbox row, as on the row itself.
    """

    id = Serial(primary_key=True)
    inbox = ForeignKey(references=WebhookInbox, on_delete=OnDelete.cascade, index=True)
    realm_id = Varchar(length=32)
    entity = Varchar(length=64)
    entity_id = Varchar(length=64)
    operation = Varchar(length=32)
    occurred_at = Timestamptz(null=True, default=None)  # the event's own time, when it had one
    processed = Boolean(default=False)
    deleted_id = Varchar(length=64, default="")  # a Merge notice: the name merged away


class WebhookDelivery(Table, tablename="qbo_webhook_delivery"):
    """A webhook event already taken in, so that a repeat of it is recognised as a replay.

    `delivery_key` is the SHA-256 of the CloudEvents `id` (or of a whole legacy body, which has
    no ids); `event_at` is the event's own time (epoch seconds): once it is older than the
    replay window the time check refuses the event anyway, and the key can be forgotten.
    """

    id = Serial(primary_key=True)
    delivery_key = Varchar(length=64, unique=True)
    event_at = Float(index=True)


class PendingApply(Table, tablename="qbo_pending_apply"):
    """Whether a client's `apply_quickbooks_changes` job is queued and not yet started.

    `claimed_at` (epoch seconds) is set by the one delivery that queues the job, with a
    conditional upsert, and cleared when the job starts: later notices join the queued job.
    """

    id = Serial(primary_key=True)
    client_id = Integer(unique=True)
    claimed_at = Float(null=True, default=None)


class PeriodicRun(Table, tablename="periodic_run"):
    """When each periodic job is next due; claimed with a conditional update."""

    id = Serial(primary_key=True)
    name = Varchar(length=64, unique=True)
    next_at = Float()


class Document(Table, tablename="document"):
    """An uploaded file, bytes and all; `status` is 'queued', 'extracting' or an extract Outcome."""

    id = Serial(primary_key=True)
    client_id = Integer(index=True)
    filename = Varchar(length=255)
    content_type = Varchar(length=64)
    size = Integer()
    sha256 = Varchar(length=64)
    data = Bytea()
    uploaded_by = Integer(null=True, default=None)
    uploaded_by_name = Varchar(length=200, default="")
    uploaded_at = Timestamptz(default=TimestamptzNow())
    status = Varchar(length=32, default="queued")
    message = Text(default="")
    job_id = UUID(null=True, default=None)


class DocumentPage(Table, tablename="document_page"):
    """A page image, drawn once: kept at extraction for a password-protected document (whose
    password is never stored), and on first view for every other document."""

    id = Serial(primary_key=True)
    document_id = Integer(index=True)
    page = Integer()
    png = Bytea()


class Batch(Table, tablename="batch"):
    """What extraction read from one document; re-extraction replaces it."""

    id = Serial(primary_key=True)
    client_id = Integer(index=True)
    document_id = Integer(unique=True)
    kind = Varchar(length=32, default="")
    confidence = Float(default=0.0)
    warnings = JSON(default="[]")
    statements = JSON(default="[]")  # reconciliation summaries, money as strings
    page_sizes = JSON(default="[]")
    created_at = Timestamptz(default=TimestamptzNow())


class ExtractionTurn(Table, tablename="extraction_turn"):
    """When a client's documents last got the worker: the client served least recently goes
    next, so one client's backlog cannot hold every other client's documents."""

    id = Serial(primary_key=True)
    client_id = Integer(unique=True)
    served_at = Float(default=0.0)  # epoch seconds


class BatchLine(Table, tablename="batch_line"):
    """One extracted transaction, with the page and box it came from (PDF points)."""

    id = Serial(primary_key=True)
    batch_id = Integer(index=True)
    client_id = Integer()
    statement_index = Integer(default=0)
    position = Integer(default=0)
    txn_date = Date()
    posting_date = Date(null=True, default=None)
    description = Text(default="")
    amount = Numeric(digits=(18, 2))
    balance = Numeric(digits=(18, 2), null=True, default=None)
    check_number = Varchar(length=32, null=True, default=None)
    page = Integer(default=1)
    bbox = JSON(default="null")
    confidence = Float(default=1.0)
    # What the engine's proof found wrong with this row: [{"kind": ..., "message": ...}]
    # (zera.extract.statements.proof.row_flags); shown on Review as it was stored.
    flags = JSON(default="[]")


class Record(Table, tablename="record"):
    """One transaction Zera knows, whichever side created it: its payload in Intuit's own JSON
    shape (money as strings; a name not yet in QuickBooks referenced as {"name": ...}), its
    status and a version every edit must name. The columns after `payload` are derived from it
    on every write (zera.review.payloads.summarize) so the review grid needs no JSON parsing."""

    id = Serial(primary_key=True)
    client_id = Integer(index=True)
    entity = Varchar(length=32)  # Purchase, Deposit, ... Transfer, CreditCardPayment
    status = Varchar(length=16, default="to_review")
    payload = JSON(default="{}")
    version = Integer(default=1)
    source = Varchar(length=16, default="manual")  # document, manual, import, quickbooks
    document_id = Integer(null=True, default=None, index=True)
    line_id = Integer(null=True, default=None)  # batch_line.id it was proposed from
    statement_key = Varchar(length=64, default="")  # which statement account it sits on
    period_start = Date(null=True, default=None)  # the statement's period, for date edits
    period_end = Date(null=True, default=None)
    bank_text = Text(default="")  # the statement's own words for the line
    suggestions = JSON(default="[]")  # [{"account_id", "account", "confidence"}] best first
    confidence = Float(default=0.0)  # of the suggested category, 0-1
    explanation = Text(default="")
    flags = JSON(default="[]")  # [{"kind", "message"}]: statement breaks, likely duplicates
    txn_date = Date(null=True, default=None)
    amount = Numeric(digits=(18, 2), default=Decimal(0))  # signed as the bank saw it
    payee = Varchar(length=500, default="")
    account = Varchar(length=400, default="")  # the category (first line's account)
    qbo_id = Varchar(length=32, null=True, default=None)
    sync_token = Varchar(length=16, null=True, default=None)
    merge_base = JSON(null=True, default=None)
    # QuickBooks' version when both sides changed the same field or line (status conflict): the
    # conflict page shows base, Zera and this side by side.
    theirs = JSON(null=True, default=None)
    push_run_id = Integer(null=True, default=None)  # the push that wrote it
    push_request = Varchar(length=64, null=True, default=None)  # its batch's requestid
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    updated_by = Varchar(length=254, default="")


class RecordChange(Table, tablename="record_change"):
    """Every version of a record: who changed it, when, and the payload and status before and
    after. Append-only, like the audit log it mirrors."""

    id = Serial(primary_key=True)
    record_id = Integer(index=True)
    client_id = Integer()
    version = Integer()
    at = Timestamptz(default=TimestamptzNow())
    user_id = Integer(null=True, default=None)
    user_email = Varchar(length=254, default="")
    action = Varchar(length=32)
    before = JSON(null=True, default=None)
    after = JSON(default="{}")


class StatementAccount(Table, tablename="statement_account"):
    """Which QuickBooks Bank or Credit Card account a client's statement account is, matched
    once (by its last digits) or answered once on Review, then remembered."""

    id = Serial(primary_key=True)
    client_id = Integer()
    key = Varchar(length=64)  # "bank:1234" or "credit_card:9876"
    qbo_account_id = Varchar(length=32)



class PushRun(Table, tablename="push_run"):
    """One push of a client's approved records: who started it, what it did (for undo)."""

    id = Serial(primary_key=True)
    client_id = Integer(index=True)
    started_by = Varchar(length=254, default="")
    started_at = Timestamptz(default=TimestamptzNow())
    finished_at = Timestamptz(null=True, default=None)
    state = Varchar(length=16, default="running")  # running, done, failed
    summary = JSON(default="{}")  # {"created": n, "failed": n, "blocked": n, "duplicate": n}


class PushedName(Table, tablename="pushed_name"):
    """A vendor or customer a push found or created in QuickBooks for a name, so 40 records
    naming it (and a push resumed after a crash) use one QuickBooks name."""

    id = Serial(primary_key=True)
    client_id = Integer()
    entity = Varchar(length=16)  # Vendor, Customer, Employee
    key = Varchar(length=500)  # the name folded (case and spaces)
    qbo_id = Varchar(length=32)
    created = Boolean(default=False)  # created by a push (undo may make it inactive)
    push_run_id = Integer(null=True, default=None)


class PushedAttachment(Table, tablename="pushed_attachment"):
    """A source document uploaded to a client's QuickBooks as one Attachable, and the
    transactions it is linked to, so attaching again (or after a crash) uploads nothing twice
    and undoing a push can unlink it."""

    id = Serial(primary_key=True)
    client_id = Integer()
    document_id = Integer()
    qbo_id = Varchar(length=32)  # the Attachable's Id
    linked = JSON(default="[]")  # ["Purchase:145", ...]: what it was linked to by Zera
    created_at = Timestamptz(default=TimestamptzNow())


FOUNDATION_TABLES: tuple[type[Table], ...] = (
    Firm,
    User,
    LoginGuard,
    Session,
    Client,
    ClientAccess,
    AuditEvent,
    Job,
)
QBO_TABLES: tuple[type[Table], ...] = (
    QBOConnection,
    OAuthState,
    QBORateEvent,
    QBOInFlight,
    QBOReference,
    QBOTransaction,
    QBOSyncState,
    PeriodicRun,
    WebhookInbox,
)
DOCUMENT_TABLES: tuple[type[Table], ...] = (Document, DocumentPage, Batch, BatchLine)
WEBHOOK_TABLES: tuple[type[Table], ...] = (WebhookDelivery, PendingApply)
NOTICE_TABLES: tuple[type[Table], ...] = (WebhookNotice,)
EXTRACTION_TABLES: tuple[type[Table], ...] = (ExtractionTurn,)
SIGN_IN_TABLES: tuple[type[Table], ...] = (SignInSource,)
RECORD_TABLES: tuple[type[Table], ...] = (Record, RecordChange, StatementAccount)
PUSH_TABLES: tuple[type[Table], ...] = (PushRun, PushedName)
ATTACHMENT_TABLES: tuple[type[Table], ...] = (PushedAttachment,)
TWO_WAY_TABLES: tuple[type[Table], ...] = (QBOUsage,)
ALL_TABLES: tuple[type[Table], ...] = (
    FOUNDATION_TABLES
    + QBO_TABLES
    + DOCUMENT_TABLES
    + WEBHOOK_TABLES
    + NOTICE_TABLES
    + EXTRACTION_TABLES
    + SIGN_IN_TABLES
    + RECORD_TABLES
    + PUSH_TABLES
    + ATTACHMENT_TABLES
    + TWO_WAY_TABLES
)
