"""Login throttling per account (failures) and per client address (attempts), via the `limits` library.

The counts live in memory unless RATE_LIMIT_STORAGE_URI says otherwise; with REDIS_URL set (several web
replicas) they default to that Redis, so an attacker gains nothing by spreading attempts across replicas.
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from limits import RateLimitItemPerSecond
from limits.aio.strategies import MovingWindowRateLimiter
from limits.errors import StorageError
from limits.storage import storage_from_string

from aigc.core.config import Settings
from aigc.core.errors import AppError


class TooManyAttemptsError(AppError):
    status_code = 429
    code = "too_many_attempts"


# Redis unreachable: sign-in fails fast with 503 rather than hanging or letting attempts through uncounted.
REDIS_TIMEOUT_SECONDS = 2.0


class ThrottleUnavailableError(AppError):
    status_code = 503
    code = "throttle_unavailable"


def storage_uri(settings: Settings) -> str:
    """RATE_LIMIT_STORAGE_URI when given; otherwise the REDIS_URL every replica shares, or this process's memory."""
    if settings.redis_url and "rate_limit_storage_uri" not in settings.model_fields_set:
        return settings.redis_url
    return settings.rate_limit_storage_uri


@lru_cache(maxsize=4)
def _limiter(storage_uri: str) -> MovingWindowRateLimiter:
    uri = storage_uri if storage_uri.startswith("async+") else f"async+{storage_uri}"
    options: dict[str, float | str | bool] = {}
    if uri.startswith(("async+redis://", "async+rediss://")):
        # redis-py (a platform dependency already) rather than the default coredis, which is not installed.
        options = {
            "implementation": "redispy",
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
        }
    return MovingWindowRateLimiter(storage_from_string(uri, wrap_exceptions=True, **options))


class LoginThrottle:
    """Refuses sign-in attempts beyond the configured windows with 429 and a Retry-After."""

    def __init__(self, settings: Settings) -> None:
        self._limiter = _limiter(storage_uri(settings))
        self._per_account = RateLimitItemPerSecond(
            settings.login_max_failures_per_account, settings.login_failure_window_seconds
        )
        self._per_ip = RateLimitItemPerSecond(
            settings.login_max_attempts_per_ip, settings.login_ip_window_seconds
        )

    async def check(self, account: str, client_ip: str) -> None:
        """Count this attempt against the address, and refuse when either window is exhausted."""
        with _storage_errors():
            if not await self._limiter.hit(self._per_ip, "login-ip", client_ip):
                await self._refuse(self._per_ip, "login-ip", client_ip)
            if not await self._limiter.test(self._per_account, "login-account", account):
                await self._refuse(self._per_account, "login-account", account)

    async def record_failure(self, account: str) -> None:
        with _storage_errors():
            await self._limiter.hit(self._per_account, "login-account", account)

    async def record_success(self, account: str) -> None:
        with _storage_errors():
            await self._limiter.clear(self._per_account, "login-account", account)

    async def _refuse(self, item: RateLimitItemPerSecond, namespace: str, key: str) -> None:
        stats = await self._limiter.get_window_stats(item, namespace, key)
        retry_after = max(1, math.ceil(stats.reset_time - time.time()))
        raise TooManyAttemptsError(
            f"Too many sign-in attempts; try again in {retry_after} seconds",
            headers={"Retry-After": str(retry_after)},
        )


@contextmanager
def _storage_errors() -> Iterator[None]:
    try:
        yield
    except StorageError as exc:
        raise ThrottleUnavailableError(
            "Sign-in is unavailable: the store of sign-in attempts (Redis) cannot be reached; try again shortly"
        ) from exc
