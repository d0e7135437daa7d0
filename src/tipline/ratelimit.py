"""Rate limits for the public, anonymous endpoints (the `limits` library).

In memory for one process; on Redis when TIPLINE_REDIS_URL is set, so that every server process
counts against the same budget.
"""

from __future__ import annotations

from limits import RateLimitItem, parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from tipline.config import Settings
from tipline.errors import TiplineError


class RateLimited(TiplineError):
    status_code = 429
    code = "rate_limited"


def _item(spec: str) -> RateLimitItem | None:
    spec = spec.strip().lower()
    return None if spec in {"", "off", "none"} else parse(spec)


class PublicRateLimiter:
    def __init__(self, settings: Settings) -> None:
        self.items = {
            "reports": _item(settings.public_rate_limit),
            "takedown": _item(settings.public_rate_limit),
            "follow-up": _item(settings.follow_up_rate_limit),
            "notices": _item(settings.notices_rate_limit),
        }
        uri = settings.redis_url or "memory://"
        self.limiter = MovingWindowRateLimiter(storage_from_string(uri))

    def check(self, scope: str, client: str) -> None:
        item = self.items[scope]
        if item is None:
            return
        if not self.limiter.hit(item, scope, client):
            raise RateLimited(
                "too many requests from this address; please wait and try again",
            )
