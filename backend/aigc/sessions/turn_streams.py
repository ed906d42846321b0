"""The numbered events of a turn: written by the process that runs it, followed by any number of listeners.

Two stores behind one shape. In one process the events live in memory (`LocalTurnStream`). Scaled out, a
worker appends them to a Redis stream and any web replica follows it (`RedisTurnStream`), so re-attaching
with `Last-Event-ID` works whichever replica the client reaches. Event numbers are the stream entries' own
ids (`0-N`): a turn has one writer at a time, so the SSE id and the Redis id are the same number.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from aigc.sessions.events import TURN_EVENT, AnyTurnEvent

if TYPE_CHECKING:
    from redis.asyncio import Redis

logger = logging.getLogger("aigc.turns")

END_FIELD = "end"
EVENT_FIELD = "e"


@dataclass(frozen=True)
class StreamEvent:
    """An event of the turn with its number in the stream (the SSE id a client re-attaches after)."""

    id: int
    event: AnyTurnEvent


class TurnSink(Protocol):
    """Where the running turn writes its events."""

    async def publish(self, event: AnyTurnEvent) -> None: ...

    async def finish(self) -> None: ...


class TurnStream(Protocol):
    """What a listener follows: every event after a number, then new ones, until the turn has finished."""

    session_id: uuid.UUID
    user_id: uuid.UUID

    def follow(self, after: int = 0) -> AsyncIterator[StreamEvent]: ...


class LocalTurnStream:
    """A turn's events in this process's memory (the embedded mode)."""

    def __init__(self, session_id: uuid.UUID, user_id: uuid.UUID) -> None:
        self.session_id = session_id
        self.user_id = user_id
        self.events: list[StreamEvent] = []
        self.finished = False
        self.finished_at: float | None = None
        self._wakeup = asyncio.Event()

    async def publish(self, event: AnyTurnEvent) -> None:
        self.publish_now(event)

    def publish_now(self, event: AnyTurnEvent) -> None:
        self.events.append(StreamEvent(len(self.events) + 1, event))
        self._wake()

    async def finish(self) -> None:
        self.finish_now()

    def finish_now(self) -> None:
        self.finished = True
        self.finished_at = time.monotonic()
        self._wake()

    def _wake(self) -> None:
        # Waiters hold the old event; a fresh one is armed for the next change.
        self._wakeup.set()
        self._wakeup = asyncio.Event()

    async def follow(self, after: int = 0) -> AsyncIterator[StreamEvent]:
        index = max(0, after)
        while True:
            while index < len(self.events):
                yield self.events[index]
                index += 1
            if self.finished:
                return
            await self._wakeup.wait()


class RedisTurnKeys:
    """The Redis keys of the scale-out mode, all under one prefix (tests and deployments keep theirs apart)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix

    def events(self, turn_id: uuid.UUID) -> str:
        return f"{self.prefix}turn:{turn_id}:events"

    def running(self, session_id: uuid.UUID) -> str:
        """Set while a turn of the session is queued or running: its turn id and user (SET NX = one at a time)."""
        return f"{self.prefix}session:{session_id}:running"

    def last_turn(self, session_id: uuid.UUID) -> str:
        return f"{self.prefix}session:{session_id}:last-turn"

    def claim(self, turn_id: uuid.UUID) -> str:
        """Taken once by the worker that runs the turn; a redelivered job finds it taken."""
        return f"{self.prefix}turn:{turn_id}:claim"

    def lease(self, turn_id: uuid.UUID) -> str:
        """Renewed by the running worker every heartbeat; gone means the worker stopped."""
        return f"{self.prefix}turn:{turn_id}:lease"

    def queued_on(self, turn_id: uuid.UUID) -> str:
        """The worker whose own queue holds the turn (a follow-up sent to its warm agent)."""
        return f"{self.prefix}turn:{turn_id}:queued-on"

    def payload(self, turn_id: uuid.UUID) -> str:
        """The queued job's payload, while it waits in one worker's own queue."""
        return f"{self.prefix}turn:{turn_id}:payload"

    def stop(self, turn_id: uuid.UUID) -> str:
        """A stop asked for before a worker took the turn."""
        return f"{self.prefix}turn:{turn_id}:stop"

    def reaped(self, turn_id: uuid.UUID) -> str:
        return f"{self.prefix}turn:{turn_id}:reaped"

    def warm(self, session_id: uuid.UUID) -> str:
        """The worker holding the session's warm agent."""
        return f"{self.prefix}session:{session_id}:warm"

    @property
    def workers(self) -> str:
        """Sorted set of live workers, each scored with when its presence runs out (epoch milliseconds)."""
        return f"{self.prefix}workers"

    @property
    def sweep_lock(self) -> str:
        return f"{self.prefix}sweep-lock"

    @property
    def control(self) -> str:
        """Pub/sub channel: stop and release reach whichever worker holds the session."""
        return f"{self.prefix}control"


def _entry_number(entry_id: Any) -> int:
    text = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
    return int(text.split("-", 1)[1])


class RedisTurnStream:
    """A turn's events in a Redis stream: the writer appends `0-N` entries, listeners block on XREAD.

    `on_silence` is called by a listener whose wait ran out with the turn unfinished; it returns True when
    it ended the turn (the worker running it had stopped), after which the listener reads the ending.
    """

    def __init__(
        self,
        redis: Redis,
        keys: RedisTurnKeys,
        session_id: uuid.UUID,
        user_id: uuid.UUID,
        turn_id: uuid.UUID,
        *,
        ttl_seconds: int,
        next_id: int = 1,
        poll_seconds: float = 2.0,
        on_silence: Callable[[RedisTurnStream], Awaitable[bool]] | None = None,
    ) -> None:
        self.redis = redis
        self.keys = keys
        self.session_id = session_id
        self.user_id = user_id
        self.turn_id = turn_id
        self.key = keys.events(turn_id)
        self.ttl_seconds = ttl_seconds
        self._next_id = next_id
        self.poll_seconds = poll_seconds
        self.on_silence = on_silence

    async def publish(self, event: AnyTurnEvent) -> None:
        await self.redis.xadd(self.key, {EVENT_FIELD: event.model_dump_json()}, id=f"0-{self._next_id}")
        self._next_id += 1

    async def finish(self) -> None:
        """The end marker, then the stream and the session's pointer expire; the session is free again."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xadd(self.key, {END_FIELD: "1"}, id=f"0-{self._next_id}")
            pipe.expire(self.key, self.ttl_seconds)
            pipe.expire(self.keys.last_turn(self.session_id), self.ttl_seconds)
            pipe.delete(self.keys.running(self.session_id))
            pipe.delete(self.keys.lease(self.turn_id))
            await pipe.execute()
        self._next_id += 1

    async def last_number(self) -> int:
        """The number of the last entry written (0 when none): where a writer taking over goes on from."""
        last = await self.redis.xrevrange(self.key, count=1)
        return _entry_number(last[0][0]) if last else 0

    def resume_numbering(self, last: int) -> None:
        self._next_id = last + 1

    async def follow(self, after: int = 0) -> AsyncIterator[StreamEvent]:
        cursor = f"0-{max(0, after)}"
        block_ms = max(1, int(self.poll_seconds * 1000))
        while True:
            batch = await self.redis.xread({self.key: cursor}, block=block_ms, count=200)
            if not batch:
                if not await self.redis.exists(self.key):
                    return  # expired, or never written: nothing more will come
                if self.on_silence is not None:
                    await self.on_silence(self)
                continue
            for entry_id, fields in batch[0][1]:
                cursor = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
                if _field(fields, END_FIELD) is not None:
                    return
                raw = _field(fields, EVENT_FIELD)
                if raw is None:
                    continue
                yield StreamEvent(_entry_number(entry_id), TURN_EVENT.validate_json(raw))


def _field(fields: dict[Any, Any], name: str) -> Any:
    value = fields.get(name)
    if value is None:
        value = fields.get(name.encode())
    return value
