"""Config reload across processes: with REDIS_URL, a reload in one process makes every other process reload.

Each process re-reads its own configuration (environment and the env file), exactly as a reload through its
own endpoint would, and applies the run-time fields to its own agents. A message on a Redis channel carries
the reload; a generation counter beside it lets a process that was disconnected when the message went out
catch up as soon as it is back. Without REDIS_URL nothing here runs: a reload reaches its own process only.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from aigc.core.config import Settings
from aigc.core.errors import AppError
from aigc.platform.config_reload import reload_settings

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger("aigc.config")

RECONNECT_SECONDS = 1.0
READY_TIMEOUT_SECONDS = 2.0


class ConfigBroadcast:
    """One per process (web replica or worker): announces this process's reloads and applies the others'."""

    def __init__(self, settings: Settings, runtime: Callable[[], Any]) -> None:
        from redis.asyncio import Redis  # only with REDIS_URL: the embedded mode never imports redis-py

        self._settings = settings
        self._runtime = runtime
        self.origin = uuid.uuid4().hex
        # Its own client, named so operators (and tests) can tell its connections apart in CLIENT LIST.
        self._redis: Redis = Redis.from_url(
            settings.redis_url,
            socket_connect_timeout=2,
            health_check_interval=30,
            client_name=f"aigc-config-{self.origin}",
        )
        # Pub/sub channels are server-wide, not per database: deployments sharing a server on different
        # databases must not reload each other.
        db = self._redis.connection_pool.connection_kwargs.get("db", 0)
        self.channel = f"aigc:{db}:config:reload"
        self.generation_key = f"aigc:{db}:config:generation"
        self._seen: int | None = None
        self._subscribed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Listen in the background; wait briefly for the subscription so an early reload is not missed."""
        self._task = asyncio.create_task(self._listen(), name="config-broadcast")
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(READY_TIMEOUT_SECONDS):
                await self._subscribed.wait()

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._redis.aclose()

    async def announce(self) -> int:
        """Tell the other processes to reload; return how many were listening."""
        try:
            generation = int(await self._redis.incr(self.generation_key))
            self._seen = max(self._seen or 0, generation)
            message = json.dumps({"origin": self.origin, "generation": generation})
            receivers = int(await self._redis.publish(self.channel, message))
        except Exception as exc:  # redis-py's errors and the OSErrors under them
            raise AppError(
                "The configuration was reloaded in this process, but the other processes could not be told "
                f"(Redis unreachable: {exc}); reload again once Redis is back",
                code="reload_not_broadcast",
                status_code=503,
            ) from exc
        others = max(0, receivers - (1 if self._subscribed.is_set() else 0))
        logger.info("Configuration reload announced to %d other processes", others)
        return others

    async def _listen(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    await self._catch_up()
                    self._subscribed.set()
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._on_message(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._subscribed.clear()
                logger.warning("Config reload channel lost (%s); reconnecting", exc)
                await asyncio.sleep(RECONNECT_SECONDS)

    async def _catch_up(self) -> None:
        """A reload announced while this process was not listening is applied now."""
        current = int(await self._redis.get(self.generation_key) or 0)
        if self._seen is None:  # just started: the configuration was read moments ago
            self._seen = current
        elif current > self._seen:
            self._seen = current
            self._apply("missed while disconnected")

    def _on_message(self, data: bytes | str) -> None:
        try:
            message = json.loads(data)
            origin, generation = str(message["origin"]), int(message["generation"])
        except (ValueError, KeyError, TypeError):
            logger.warning("Ignored a malformed config reload message: %r", data)
            return
        if origin == self.origin or generation <= (self._seen or 0):
            return
        self._seen = generation
        self._apply("announced by another process")

    def _apply(self, why: str) -> None:
        try:
            reload_settings(self._settings, self._runtime())
        except AppError as exc:
            logger.error("Configuration reload (%s) not applied in this process: %s", why, exc.message)
        else:
            logger.info("Configuration reloaded (%s)", why)


async def start_config_broadcast(settings: Settings, runtime: Callable[[], Any]) -> ConfigBroadcast | None:
    """The process's broadcast when REDIS_URL is set (None otherwise), listening already."""
    if not settings.redis_url:
        return None
    broadcast = ConfigBroadcast(settings, runtime)
    await broadcast.start()
    return broadcast
