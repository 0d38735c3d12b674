"""Figures from the security and abuse trial (issue 8), each against a real `zera serve`:

- wrong guesses accepted before lockout under 30-way concurrency (goal: the limit, 5);
- peak web RSS while requesting the largest allowed page image (goal: < 200 MB);
- webhook acknowledgement p50/p99 for 500 signed deliveries while the worker is busy
  (goal: p99 < 50 ms), jobs created by those deliveries for one realm (goal: 1-2) and
  replays accepted (goal: 0).

Prints its results; asserts nothing. Each part lives in its own module and runs alone too.

    uv run python bench/abuse.py [lockout] [pages] [webhooks]
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import abuse_lockout
import abuse_pages
import abuse_webhooks

PARTS: dict[str, Callable[[], dict[str, str]]] = {
    "lockout": abuse_lockout.measure,
    "pages": abuse_pages.measure,
    "webhooks": abuse_webhooks.measure,
}


def main(names: list[str]) -> None:
    for name in names or list(PARTS):
        figures = PARTS[name]()
        print(f"== {name}")
        width = max(len(label) for label in figures)
        for label, value in figures.items():
            print(f"  {label:<{width}}  {value}")


if __name__ == "__main__":
    main(sys.argv[1:])
