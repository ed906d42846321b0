"""The Redis client of the scale-out mode (REDIS_URL); redis-py is imported only when it is configured."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from redis.asyncio import Redis


def redis_client(url: str) -> Redis:
    """A pooled asyncio client; blocking stream reads each hold one connection while they wait."""
    from redis.asyncio import Redis

    # Short connect timeout: an unreachable Redis must turn into a clear 503, not a hung request.
    return Redis.from_url(url, socket_connect_timeout=2, health_check_interval=30)
