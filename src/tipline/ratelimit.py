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
            "support": _item(settings.support_rate_limit),
            # The same three, counted per address (see check_person).
            "reports@address": _item(settings.public_address_limit),
            "takedown@address": _item(settings.public_address_limit),
            "support@address": _item(settings.public_address_limit),
            "follow-up": _item(settings.follow_up_rate_limit),
            "notices": _item(settings.notices_rate_limit),
            # Megapixels of images decoded for one address (deps.charge_pixels).
            "pixels": _item(settings.image_pixel_budget),
            # Wrong passwords, PINs and keys from one address, whatever the account: the
            # per-account lockout cannot see a guesser who spreads over many accounts, and each
            # guess costs the server an argon2 hash (issue 17).
            "failures": _item(settings.failed_login_limit),
        }
        uri = settings.redis_url or "memory://"
        self.limiter = MovingWindowRateLimiter(storage_from_string(uri))

    def check(self, scope: str, client: str, *, cost: int = 1) -> None:
        item = self.items[scope]
        if item is None or cost <= 0:
            return
        if not self.limiter.hit(item, scope, client, cost=cost):
            raise RateLimited(
                "too many requests from this address; please wait and try again",
            )

    def check_person(self, scope: str, address: str, token: str) -> None:
        """One person's budget (their address and their form's token) and a higher one for the
        address: ten reports an hour from one browser, and a school's network still gets
        through. Without a token (an API client) the person is the address."""
        item, shared = self.items[scope], self.items[f"{scope}@address"]
        if shared is not None and not self.limiter.test(shared, scope, "@", address):
            raise RateLimited("too many requests from this network; please wait and try again")
        if item is not None and not self.limiter.hit(item, scope, address, token or "-"):
            raise RateLimited("too many requests from this address; please wait and try again")
        if shared is not None:
            self.limiter.hit(shared, scope, "@", address)

    def refuse_if_failing(self, client: str) -> None:
        """Before checking a secret: refuse an address that has failed too often lately."""
        item = self.items["failures"]
        if item is not None and not self.limiter.test(item, "failures", client):
            raise RateLimited("too many failed attempts from this address; please wait")

    def count_failure(self, client: str) -> None:
        item = self.items["failures"]
        if item is not None:
            self.limiter.hit(item, "failures", client)
