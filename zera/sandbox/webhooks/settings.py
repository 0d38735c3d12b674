"""Per-app webhook settings, Intuit's retry schedule and the test controls.

Settings and controls live in the database (not in process memory) so the control surface in one
process can change what the dispatcher in another does, and so both survive a restart.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

from .payloads import PayloadFormat

__all__ = ["RETRY_SCHEDULE_S", "WebhookControls", "WebhookSettings", "retry_delay_s"]

# Intuit retries a delivery not answered with HTTP 200 within 3 s "at 10s, 20s, 30s, 5m, 20m, 2h,
# 4h and 6h, then every 6 h thereafter" (developer.intuit.com .../webhooks/best-practices; the Oct
# 2025 enhanced-webhooks-monitoring blog lists the same steps after a "0s" first attempt). We read
# each step as the wait after the previous failed attempt.
RETRY_SCHEDULE_S: tuple[float, ...] = (10, 20, 30, 5 * 60, 20 * 60, 2 * 3600, 4 * 3600, 6 * 3600)
_EVERY_AFTER_S = 6 * 3600.0


def retry_delay_s(failed_attempts: int, time_scale: float = 1.0) -> float:
    """Seconds to wait after the `failed_attempts`-th failure (1-based), scaled for tests."""
    if failed_attempts < 1:
        raise ValueError("failed_attempts starts at 1")
    index = failed_attempts - 1
    base = RETRY_SCHEDULE_S[index] if index < len(RETRY_SCHEDULE_S) else _EVERY_AFTER_S
    return float(base) * time_scale


@dataclass(frozen=True, slots=True)
class WebhookSettings:
    """What an app registered on Intuit's webhooks page, plus the sandbox's knobs.

    - `endpoint_url`: where deliveries go; None means no subscription, so no events are kept.
    - `aggregation_window_s`: how long events for a realm gather before being sent together
      (Intuit: near real time in its sandbox, 1, 3 or 5 minutes in production).
    - `time_scale`: multiplies the retry schedule and the aggregation window (0.001 in tests).
    - `response_timeout_s`: a delivery not answered within this is a failure (Intuit: 3 s).
    - `max_attempts`: None retries forever, every 6 h, as Intuit documents it.
    """

    endpoint_url: str | None = None
    verifier_token: str = ""
    format: PayloadFormat = PayloadFormat.CLOUDEVENTS
    aggregation_window_s: float = 0.0
    time_scale: float = 1.0
    response_timeout_s: float = 3.0
    max_attempts: int | None = None
    app_id: str = "zera-sandbox-app"

    def __post_init__(self) -> None:
        object.__setattr__(self, "format", PayloadFormat(self.format))
        if self.time_scale <= 0 or self.aggregation_window_s < 0 or self.response_timeout_s <= 0:
            raise ValueError("time_scale and response_timeout_s must be > 0, window >= 0")

    def to_row(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> WebhookSettings:
        known = {f.name for f in fields(cls)}
        return cls(**{key: value for key, value in row.items() if key in known})

    def changed(self, **changes: Any) -> WebhookSettings:
        return replace(self, **changes)


@dataclass(frozen=True, slots=True)
class WebhookControls:
    """Faults a person or a test injects: lose, hold back or repeat deliveries.

    - `drop_next`: the next N deliveries are lost for good (Intuit says webhooks can be missed).
    - `delay_s`: every new delivery waits this many real seconds before its first attempt.
    - `duplicate_next`: the next N successful deliveries are sent twice (at-least-once).
    """

    drop_next: int = 0
    delay_s: float = 0.0
    duplicate_next: int = 0

    def __post_init__(self) -> None:
        if self.drop_next < 0 or self.delay_s < 0 or self.duplicate_next < 0:
            raise ValueError("webhook controls cannot be negative")
