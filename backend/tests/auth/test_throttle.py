"""Login throttling across processes: with REDIS_URL, every web replica counts against the same windows."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from aigc.auth.throttle import (
    LoginThrottle,
    ThrottleUnavailableError,
    TooManyAttemptsError,
    _limiter,
    storage_uri,
)
from aigc.core.config import Settings, load_settings
from tests.storage.helpers import free_port

REDIS_URL = "redis://127.0.0.1:6379/12"  # this helper's test database


def replica_settings(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "redis_url": REDIS_URL,
        "login_max_attempts_per_ip": 3,
        "login_max_failures_per_account": 2,
    }
    return load_settings(**(values | overrides))


def throttle_of_another_process(settings: Settings) -> LoginThrottle:
    """A throttle with its own limiter and Redis connection, as a second web replica would have."""
    _limiter.cache_clear()  # in one process, throttles on the same storage share one limiter object
    return LoginThrottle(settings)


@pytest.fixture
async def redis_counts() -> AsyncIterator[None]:
    yield
    await _limiter(REDIS_URL).storage.reset()
    _limiter.cache_clear()


def test_redis_url_is_the_default_store_and_an_explicit_uri_wins() -> None:
    assert storage_uri(load_settings()) == "memory://"  # the embedded default is unchanged
    assert storage_uri(load_settings(redis_url=REDIS_URL)) == REDIS_URL
    explicit = "redis://127.0.0.1:6379/13"
    assert storage_uri(load_settings(redis_url=REDIS_URL, rate_limit_storage_uri=explicit)) == explicit
    assert storage_uri(load_settings(redis_url=REDIS_URL, rate_limit_storage_uri="memory://")) == "memory://"


async def test_two_replicas_share_the_attempts_of_an_address(redis_counts: None) -> None:
    settings = replica_settings()
    first, second = throttle_of_another_process(settings), throttle_of_another_process(settings)
    await first.check("alice", "203.0.113.7")
    await second.check("bob", "203.0.113.7")
    await first.check("carol", "203.0.113.7")
    with pytest.raises(TooManyAttemptsError) as refused:
        await second.check("dave", "203.0.113.7")
    assert int(refused.value.headers["Retry-After"]) >= 1
    await second.check("dave", "198.51.100.1")  # another address has its own window


async def test_failures_on_one_replica_lock_the_account_on_the_other(redis_counts: None) -> None:
    settings = replica_settings(login_max_attempts_per_ip=100)
    first, second = throttle_of_another_process(settings), throttle_of_another_process(settings)
    await first.record_failure("alice")
    await second.record_failure("alice")
    with pytest.raises(TooManyAttemptsError):
        await first.check("alice", "203.0.113.7")
    await second.record_success("alice")  # a correct password clears the count everywhere
    await first.check("alice", "203.0.113.7")


async def test_an_unreachable_redis_refuses_sign_in_with_503(redis_counts: None) -> None:
    settings = replica_settings(rate_limit_storage_uri=f"redis://127.0.0.1:{free_port()}/12")
    with pytest.raises(ThrottleUnavailableError) as refused:
        await throttle_of_another_process(settings).check("alice", "203.0.113.7")
    assert refused.value.status_code == 503 and "Redis" in refused.value.message
