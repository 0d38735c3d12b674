"""`zera queue ...`: look after the job queue from the command line, beside a live server."""

from __future__ import annotations

import argparse
import asyncio

from zera.db import bind_tables, engine_for
from zera.queue.brokers import build_broker
from zera.queue.dead_letters import list_dead_letters, purge_dead_letters
from zera.settings import Settings

DAY = 86400


def add_arguments(parser: argparse.ArgumentParser) -> None:
    commands = parser.add_subparsers(dest="queue_command", required=True)
    dead = commands.add_parser(
        "dead-letters",
        help="list failed (dead) messages as JSON lines: actor, job id, client, error, when",
    )
    dead.add_argument("--purge", action="store_true", help="delete them instead of listing them")
    dead.add_argument(
        "--older-than",
        type=float,
        default=0,
        metavar="DAYS",
        help="only those that died at least DAYS days ago (default: all)",
    )


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.older_than < 0:
        raise SystemExit("zera queue dead-letters: --older-than must not be negative")
    bind_tables(engine_for(settings.database_url))
    broker = build_broker(settings.queue_url)
    try:
        if args.purge:
            purged = purge_dead_letters(broker, older_than_seconds=args.older_than * DAY)
            print(f'{{"purged": {purged}}}')
        else:
            letters = asyncio.run(
                list_dead_letters(broker, older_than_seconds=args.older_than * DAY)
            )
            for letter in letters:
                print(letter.as_json())
    finally:
        broker.close()
    return 0
