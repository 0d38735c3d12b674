"""Run by the two-process refresh test: N concurrent reads through Zera's QBO client.

    python -m tests.qbo.burst CLIENT_ID ACCOUNT_ID N START_AT

Settings come from the environment (the test passes its database and sandbox); all processes
wait until START_AT (epoch seconds) so their requests overlap.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from zera.db import bind_tables, engine_for
from zera.qbo.service import QuickBooks
from zera.settings import Settings


async def burst(client_id: int, account_id: str, count: int, start_at: float) -> int:
    settings = Settings.from_env()
    bind_tables(engine_for(settings.database_url))
    quickbooks = QuickBooks(settings)
    await asyncio.sleep(max(0.0, start_at - time.time()))
    async with quickbooks.client_for(client_id) as client:
        accounts = await asyncio.gather(*(client.read("Account", account_id) for _ in range(count)))
    return sum(1 for account in accounts if account["Id"] == account_id)


if __name__ == "__main__":
    client, account, n, start = sys.argv[1:5]
    ok = asyncio.run(burst(int(client), account, int(n), float(start)))
    print(json.dumps({"ok": ok}))
