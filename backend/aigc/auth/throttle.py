"""Login throttling per account (failures) and per client address (attempts), via the `limits` library."""

from __future__ import annotations

import math
import time
from functools import lru_cache

from limits import RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from limits.storage import storage_from_string

from aigc.core.config import Settings
from aigc.core.errors import AppError


class TooManyAttemptsError(AppError):
    status_code = 429
    code = "too_many_attempts"


@lru_cache(maxsize=4)
def _limiter(storage_uri: str) -> MovingWindowRateLimiter:
    uri = storage_uri if storage_uri.startswith("async+") else f"async+{storage_uri}"
    return MovingWindowRateLimiter(storage_from_string(uri))


class LoginThrottle:
    """Refuses sign-in attempts beyond the configured windows with 429 and a Retry-After."""

    def __init__(self, settings: Settings) -> None:
        self._limiter = _limiter(settings.rate_limit_storage_uri)
        self._per_account = RateLimitItemPerSecond(
            settings.login_max_failures_per_account, settings.login_failure_window_seconds
        )
        self._per_ip = RateLimitItemPerSecond(
            settings.login_max_attempts_per_ip, settings.login_ip_window_seconds
        )

    async def check(self, account: str, client_ip: str) -> None:
        """Count this attempt against the address, and refuse when either window is exhausted."""
        if not await self._limiter.hit(self._per_ip, "login-ip", client_ip):
            await self._refuse(self._per_ip, "login-ip", client_ip)
        if not await self._limiter.test(self._per_account, "login-account", account):
            await self._refuse(self._per_account, "login-account", account)

    async def record_failure(self, account: str) -> None:
        await self._limiter.hit(self._per_account, "login-account", account)

    async def record_success(self, account: str) -> None:
        await self._limiter.clear(self._per_account, "login-account", account)

    async def _refuse(self, item: RateLimitItemPerSecond, namespace: str, key: str) -> None:
        stats = await self._limiter.get_window_stats(item, namespace, key)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyAttemptsError(
            f"Too many sign-in attempts; try again in {retry_after} seconds",
            headers={"Retry-After": str(retry_after)},
        )
