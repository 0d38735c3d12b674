"""The QuickBooks Online Accounting API client: one object per connection.

Every call carries `minorversion=75` (Intuit's floor since August 2025, QBO-API.md §2), goes
through the per-realm rate limiter, and is retried with exponential backoff and full jitter on
throttling, Intuit 5xx and network errors (honouring Retry-After when present). Writes carry a
`requestid` derived from the local operation, so a retried write can never create a second
record. A 401 triggers one token refresh and one retry (`VaultAuth`).

This client is the one layer that retries a request, and it does so within a time budget
(`retry_budget_seconds`, one Intuit throttle window by default): a wait that would not fit in
what is left of it is not slept here, holding a worker, but raised as the `Transient` error with
its `retry_after`, for the job queue to run the job again later (`zera.tasks.qbo`).
"""

from __future__ import annotations

import asyncio
import base64
import random
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any

import httpx

from zera.jsonmoney import dumps, loads
from zera.qbo.errors import (
    ConnectionFailed,
    QBOError,
    ServerError,
    Transient,
    fault_from_item,
    parse_error,
)
from zera.qbo.ratelimit import RateLimiter

MINOR_VERSION = "75"
BATCH_LIMIT = 30  # items per batch request (QBO-API.md §4)
PAGE_SIZE = 1000  # Intuit's largest MAXRESULTS
TIMEOUT = httpx.Timeout(30.0, connect=5.0)
# How long one request may spend retrying: Intuit's throttle counts requests per minute.
RETRY_BUDGET_SECONDS = 60.0
_REQUEST_ID_NAMESPACE = uuid.UUID("6f1c2b0e-7a57-4c1e-9a58-2f3d4c5b6a70")


def request_id(operation: str) -> str:
    """A stable requestid (36 chars, within Intuit's 50 and batch's 36) for a local operation."""
    return str(uuid.uuid5(_REQUEST_ID_NAMESPACE, operation))


class VaultAuth(httpx.Auth):
    """Bearer auth from a token source; on 401, refresh once and retry once.

    The token is reused for up to `reuse_seconds` without asking the source again: a token
    another process has since replaced still works until it expires, and if Intuit refuses it
    the 401 path asks the source, which hands out the current one.
    """

    def __init__(
        self, token: Callable[[str | None], Awaitable[str]], *, reuse_seconds: float = 60.0
    ) -> None:
        self._token = token
        self._reuse_seconds = reuse_seconds
        self._cached: tuple[str, float] | None = None

    async def _current(self, stale: str | None) -> str:
        now = time.monotonic()
        if stale is None and self._cached and self._cached[1] > now:
            return self._cached[0]
        token = await self._token(stale)
        self._cached = (token, now + self._reuse_seconds)
        return token

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        token = await self._current(None)
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        if response.status_code == 401:
            token = await self._current(token)
            request.headers["Authorization"] = f"Bearer {token}"
            yield request


class QBOClient:
    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        api_base: str,
        realm_id: str,
        auth: httpx.Auth,
        limiter: RateLimiter,
        max_attempts: int = 8,
        backoff_base: float = 0.5,
        backoff_cap: float = 30.0,
        retry_budget_seconds: float = RETRY_BUDGET_SECONDS,
    ) -> None:
        self.http = http
        self.realm_id = realm_id
        self.base = f"{api_base.rstrip('/')}/v3/company/{realm_id}"
        self.auth = auth
        self.limiter = limiter
        self.max_attempts = max_attempts
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.retry_budget_seconds = retry_budget_seconds
        self.retries = 0  # how many attempts were repeated, for logs and benchmarks

    async def _send(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        json: Any = None,
        batch: bool = False,
    ) -> dict[str, Any]:
        query = {"minorversion": MINOR_VERSION, **(params or {})}
        headers = {"Accept": "application/json"}
        if json is not None:
            headers["Content-Type"] = "application/json"
        give_up_at = time.monotonic() + self.retry_budget_seconds
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with self.limiter.slot(self.realm_id, batch=batch):
                    response = await self.http.request(
                        method,
                        f"{self.base}/{path}",
                        params=query,
                        auth=self.auth,
                        content=None if json is None else dumps(json),
                        headers=headers,
                        timeout=TIMEOUT,
                    )
            except httpx.TransportError as exc:
                error: QBOError = ConnectionFailed(
                    f"Could not reach QuickBooks: {type(exc).__name__}"
                )
            else:
                if response.status_code < 400:
                    body: dict[str, Any] = loads(response.content)
                    return body
                error = parse_error(
                    response.status_code,
                    response.content,
                    response.headers.get("content-type", ""),
                    response.headers.get("intuit_tid", ""),
                )
                if response.status_code >= 500 and not isinstance(error, Transient):
                    # Intuit's 5xx carry a Fault envelope too (SystemFault, code 10000): the
                    # status says it is worth retrying, whatever code the body gives.
                    error = ServerError(
                        error.message, error.code, error.detail, error.status, error.intuit_tid
                    )
                error.retry_after = _seconds(response.headers.get("retry-after"))
            if not isinstance(error, Transient) or attempt == self.max_attempts:
                raise error
            ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
            jitter = random.uniform(0, ceiling)  # noqa: S311 (backoff jitter, not a secret)
            wait = error.retry_after if error.retry_after is not None else jitter
            if time.monotonic() + wait > give_up_at:
                raise error  # the budget is spent: the job queue owns a longer wait
            self.retries += 1
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    # -- single entities ------------------------------------------------------------------------

    async def read(self, entity: str, entity_id: str) -> dict[str, Any]:
        body = await self._send("GET", f"{entity.lower()}/{entity_id}")
        return _entity(body, entity)

    async def create(
        self, entity: str, payload: dict[str, Any], *, operation: str
    ) -> dict[str, Any]:
        body = await self._send(
            "POST", entity.lower(), json=payload, params={"requestid": request_id(operation)}
        )
        return _entity(body, entity)

    async def update(
        self, entity: str, payload: dict[str, Any], *, operation: str, sparse: bool = True
    ) -> dict[str, Any]:
        body = await self._send(
            "POST",
            entity.lower(),
            json={**payload, "sparse": sparse},
            params={"requestid": request_id(operation), "operation": "update"},
        )
        return _entity(body, entity)

    async def delete(self, entity: str, entity_id: str, sync_token: str, *, operation: str) -> None:
        await self._send(
            "POST",
            entity.lower(),
            json={"Id": entity_id, "SyncToken": sync_token},
            params={"requestid": request_id(operation), "operation": "delete"},
        )

    async def company_info(self) -> dict[str, Any]:
        body = await self._send("GET", f"companyinfo/{self.realm_id}")
        return dict(body["CompanyInfo"])

    async def preferences(self) -> dict[str, Any]:
        body = await self._send("GET", "preferences")
        return dict(body["Preferences"])

    # -- query, batch, CDC ----------------------------------------------------------------------

    async def query(self, statement: str) -> dict[str, Any]:
        body = await self._send("GET", "query", params={"query": statement})
        return dict(body.get("QueryResponse", {}))

    async def query_all(
        self, entity: str, where: str = "", *, page_size: int = PAGE_SIZE
    ) -> AsyncIterator[list[dict[str, Any]]]:
        """Every matching record, a page at a time (STARTPOSITION is 1-based)."""
        start = 1
        condition = f" WHERE {where}" if where else ""
        while True:
            page = await self.query(
                f"SELECT * FROM {entity}{condition} STARTPOSITION {start} MAXRESULTS {page_size}"  # noqa: S608 (Intuit's query language, our own entity names)
            )
            records = page.get(entity) or page.get(f"{entity}Txn") or []  # see `_entity`
            if records:
                yield records
            if len(records) < page_size:
                return
            start += page_size

    async def batch(
        self, items: Sequence[dict[str, Any]], *, operation: str | None = None
    ) -> list[dict[str, Any]]:
        """Send items 30 per request; return each item's response (entity, Fault or query).

        With `operation`, each request carries a requestid derived from it and the chunk's
        position, so sending the same items again (after a lost answer or a crash) is answered
        from Intuit's memory of the first request instead of writing twice."""
        results: list[dict[str, Any]] = []
        for offset in range(0, len(items), BATCH_LIMIT):
            chunk = list(items[offset : offset + BATCH_LIMIT])
            params = {"requestid": request_id(f"{operation}:{offset}")} if operation else None
            await self._count_items(len(chunk))
            body = await self._send(
                "POST", "batch", params=params, json={"BatchItemRequest": chunk}, batch=True
            )
            results.extend(body.get("BatchItemResponse", []))
        return results

    async def _count_items(self, items: int) -> None:
        """Count a batch's items past the first as calls, together, once they all fit.

        Intuit meters each item of a batch as a call against the 500 a minute (QBO-API.md §4,
        §7), while the limiter counts a request as one. Counted one by one as room appeared,
        some items would be dated long before their batch goes and leave the window while
        Intuit still counts them: so the first waits until every item fits (a limiter over the
        same ledger with that much less room), and the rest follow at once."""
        limits = self.limiter.limits
        room = max(1, limits.per_minute - items + 1)
        all_fit = RateLimiter(self.limiter.ledger, replace(limits, per_minute=room))
        for n in range(items - 1):
            async with (all_fit if n == 0 else self.limiter).slot(self.realm_id):
                pass
        self.limiter.waited_seconds += all_fit.waited_seconds

    async def cdc(
        self, entities: Sequence[str], changed_since: str
    ) -> dict[str, list[dict[str, Any]]]:
        """Records of `entities` changed since `changed_since` (at most 30 days back)."""
        body = await self._send(
            "GET", "cdc", params={"entities": ",".join(entities), "changedSince": changed_since}
        )
        changed: dict[str, list[dict[str, Any]]] = {}
        for response in body.get("CDCResponse", []):
            for part in response.get("QueryResponse", []):
                for key, value in part.items():
                    if isinstance(value, list):
                        # CreditCardPayment is answered under its XSD name CreditCardPaymentTxn.
                        entity = key.removesuffix("Txn") if key.endswith("PaymentTxn") else key
                        changed.setdefault(entity, []).extend(value)
        return changed

    async def upload(
        self, attachable: dict[str, Any], content: bytes, *, operation: str
    ) -> dict[str, Any]:
        """Upload one file as an Attachable and return the Attachable Intuit made.

        `attachable` is its metadata in Intuit's JSON (FileName, ContentType, and the
        AttachableRef entries that link it to transactions). Intuit's multipart `/upload` takes
        it as `file_metadata_01` and the bytes as `file_content_01`, base64 encoded as
        python-quickbooks sends them. Like every write it carries a requestid derived from
        `operation` (a repeat is answered from Intuit's memory, never uploaded twice) and goes
        through the rate limiter and the same retries and time budget as `_send`."""
        boundary = f"zera-{uuid.uuid4().hex}"
        filename = str(attachable.get("FileName") or "attachment").replace('"', "'")
        kind = str(attachable.get("ContentType") or "application/octet-stream")
        body = "\r\n".join([
            f"--{boundary}",
            'Content-Disposition: form-data; name="file_metadata_01"',
            "Content-Type: application/json", "", dumps(attachable),
            f"--{boundary}",
            f'Content-Disposition: form-data; name="file_content_01"; filename="{filename}"',
            f"Content-Type: {kind}", "Content-Transfer-Encoding: base64", "",
            base64.b64encode(content).decode("ascii"),
            f"--{boundary}--", "",
        ]).encode()  # fmt: skip
        headers = {"Accept": "application/json",
                   "Content-Type": f"multipart/form-data; boundary={boundary}"}  # fmt: skip
        query = {"minorversion": MINOR_VERSION, "requestid": request_id(operation)}
        give_up_at = time.monotonic() + self.retry_budget_seconds
        for attempt in range(1, self.max_attempts + 1):
            try:
                async with self.limiter.slot(self.realm_id):
                    response = await self.http.post(
                        f"{self.base}/upload", params=query, auth=self.auth, content=body,
                        headers=headers, timeout=TIMEOUT,
                    )  # fmt: skip
            except httpx.TransportError as exc:
                error: QBOError = ConnectionFailed(
                    f"Could not reach QuickBooks: {type(exc).__name__}"
                )
            else:
                if response.status_code < 400:
                    answers = loads(response.content).get("AttachableResponse") or [{}]
                    fault = answers[0].get("Fault")
                    if isinstance(fault, dict):
                        raise fault_from_item(fault)
                    return dict(answers[0]["Attachable"])
                error = parse_error(
                    response.status_code,
                    response.content,
                    response.headers.get("content-type", ""),
                    response.headers.get("intuit_tid", ""),
                )
                if response.status_code >= 500 and not isinstance(error, Transient):
                    # Intuit's 5xx carry a Fault envelope too (SystemFault, code 10000): the
                    # status says it is worth retrying, whatever code the body gives.
                    error = ServerError(
                        error.message, error.code, error.detail, error.status, error.intuit_tid
                    )
                error.retry_after = _seconds(response.headers.get("retry-after"))
            if not isinstance(error, Transient) or attempt == self.max_attempts:
                raise error
            ceiling = min(self.backoff_cap, self.backoff_base * 2 ** (attempt - 1))
            jitter = random.uniform(0, ceiling)  # noqa: S311 (backoff jitter, not a secret)
            wait = error.retry_after if error.retry_after is not None else jitter
            if time.monotonic() + wait > give_up_at:
                raise error
            self.retries += 1
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")


def _entity(body: dict[str, Any], entity: str) -> dict[str, Any]:
    """The entity in an answer: Intuit answers a CreditCardPayment as CreditCardPaymentTxn (its
    schema type; python-quickbooks objects/creditcardpayment_entity.py reads that key)."""
    found = body.get(entity, body.get(f"{entity}Txn"))
    if not isinstance(found, dict):
        raise KeyError(entity)
    return dict(found)


def batch_fault(item: dict[str, Any]) -> QBOError | None:
    """The error in one batch item response, if it failed."""
    fault = item.get("Fault")
    return fault_from_item(fault) if isinstance(fault, dict) else None


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value else None
    except ValueError:
        return None
