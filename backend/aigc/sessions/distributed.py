"""Turns run by `aigc worker` processes: the web replica's side of the scale-out mode.

A web replica saves the user's message, opens the turn's Redis stream with the `accepted` event, and hands
the plan to the task engine (Celery). The worker that takes it appends every further event to the same
stream, so any replica can serve a listener, and renews a lease while it runs. Stop and release travel
over a Redis channel to whichever worker holds the session. A turn whose worker stopped is ended by
whoever notices first (a listener's wait runs out, the sweep job, or the redelivered job): recorded as
failed, with the error and `done` appended to its stream. Failure semantics: docs/architecture.md,
"Scale-out".
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError

from aigc.agent import events as agent_events
from aigc.core.config import Settings
from aigc.core.db import session_scope
from aigc.core.errors import ServiceUnavailableError
from aigc.core.models import new_id, utcnow
from aigc.sessions import repository, turn_records
from aigc.sessions.events import AcceptedEvent
from aigc.sessions.models import TurnStatus
from aigc.sessions.turn_streams import RedisTurnKeys, RedisTurnStream, TurnStream
from aigc.sessions.turns import WORKER_STOPPED_ERROR, TurnPlan, turn_running_error

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from aigc.agent import AgentRuntime

logger = logging.getLogger("aigc.turns")

BROKER_DOWN_ERROR = (
    "The task queue is not reachable, so no agent could take this message; it was saved. Try again shortly"
)
REDIS_DOWN_ERROR = "The turn event store (Redis) is not reachable; try again shortly"
# A follow-up's payload waits beside a worker's own queue only until taken (the claim deletes it) or this
# long; a turn still not taken then is ended by the sweep.
PAYLOAD_TTL_SECONDS = 3600
NO_WORKER_ERROR = "No agent worker is running; ask an administrator to start `aigc worker`"

Dispatch = Callable[[dict[str, Any], str], None]


def shared_queue(settings: Settings) -> str:
    """The queue every worker reads (named under the key prefix: deployments may share a broker)."""
    return f"{settings.redis_key_prefix}turns"


def worker_queue(settings: Settings, worker_id: str) -> str:
    """The queue only one worker reads: follow-ups of the sessions whose warm agents it holds."""
    return f"{shared_queue(settings)}.{worker_id}"


def lease_ttl_ms(settings: Settings) -> int:
    return int(settings.worker_heartbeat_seconds * 3 * 1000)


async def advertise(redis: Redis, keys: RedisTurnKeys, worker_id: str, ttl_ms: int) -> None:
    """A worker's presence for the next `ttl_ms` (the heartbeat renews it); departed ones are pruned."""
    now_ms = int(time.time() * 1000)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zadd(keys.workers, {worker_id: now_ms + ttl_ms})
        pipe.zremrangebyscore(keys.workers, "-inf", now_ms - 60_000)
        await pipe.execute()


class TurnMarker:
    """What the session's `running` and `last-turn` keys hold: the turn id and its user."""

    def __init__(self, turn_id: uuid.UUID, user_id: uuid.UUID) -> None:
        self.turn_id = turn_id
        self.user_id = user_id

    def dumps(self) -> str:
        return json.dumps({"turn": str(self.turn_id), "user": str(self.user_id)})

    @classmethod
    def loads(cls, raw: bytes | str | None) -> TurnMarker | None:
        if raw is None:
            return None
        data = json.loads(raw)
        return cls(uuid.UUID(data["turn"]), uuid.UUID(data["user"]))


class TurnReaper:
    """Ends turns whose worker stopped; safe to call from several processes at once (one wins)."""

    def __init__(self, settings: Settings, redis: Redis, keys: RedisTurnKeys) -> None:
        self.settings = settings
        self.redis = redis
        self.keys = keys

    def stream(self, session_id: uuid.UUID, user_id: uuid.UUID, turn_id: uuid.UUID) -> RedisTurnStream:
        return RedisTurnStream(
            self.redis,
            self.keys,
            session_id,
            user_id,
            turn_id,
            ttl_seconds=self.settings.turn_stream_ttl_seconds,
            poll_seconds=self.settings.worker_heartbeat_seconds,
            on_silence=self.check_silent,
        )

    async def check_silent(self, stream: RedisTurnStream) -> bool:
        """A listener heard nothing for a while: end the turn if a worker took it and its lease is gone."""
        marker = TurnMarker.loads(await self.redis.get(self.keys.running(stream.session_id)))
        if marker is None or marker.turn_id != stream.turn_id:
            return False  # it ended; the end marker is in the stream or about to be
        if await self.redis.get(self.keys.claim(stream.turn_id)) is None:
            return False  # still queued: waiting for a free worker is not a failure
        if await self.redis.exists(self.keys.lease(stream.turn_id)):
            return False
        return await self.reap(stream.session_id, stream.user_id, stream.turn_id, WORKER_STOPPED_ERROR)

    async def reap(self, session_id: uuid.UUID, user_id: uuid.UUID, turn_id: uuid.UUID, reason: str) -> bool:
        """Record the turn as failed and append its error and `done` to the stream; False if another did."""
        if not await self.redis.set(self.keys.reaped(turn_id), "1", nx=True, ex=24 * 3600):
            return False
        stream = self.stream(session_id, user_id, turn_id)
        if not await turn_records.end_turn_unrun(turn_id, TurnStatus.error, reason):
            # Saved already (a job redelivered after its turn ended, the broker having lost the ack).
            await self.redis.delete(self.keys.running(session_id))
            return False
        logger.warning("Ending turn %s of session %s: %s", turn_id, session_id, reason)
        stream.resume_numbering(await stream.last_number())
        await stream.publish(agent_events.ErrorEvent(kind="worker_lost", message=reason))
        await stream.publish(agent_events.DoneEvent(status="error", message_id=turn_id, error=reason))
        await stream.finish()
        await self.redis.delete(self.keys.warm(session_id))
        return True

    async def sweep(
        self, older_than: timedelta, live_workers: set[str], requeue: Callable[[uuid.UUID], Awaitable[bool]]
    ) -> int:
        """Turns recorded as running whose worker is gone, or queued where no worker will take them.

        For turns nobody is listening to: a listener notices a lost worker within a few heartbeats. A turn
        waiting in the own queue of a worker that left (a rolling restart) is queued again for any worker.
        """
        async with session_scope(write=False) as db:
            running = await repository.running_message_ids(db, utcnow() - older_than)
        ended = 0
        for session_id, turn_id in running:
            marker = TurnMarker.loads(await self.redis.get(self.keys.running(session_id)))
            lease = await self.redis.exists(self.keys.lease(turn_id))
            claimed = await self.redis.exists(self.keys.claim(turn_id))
            queued_on = await self.redis.get(self.keys.queued_on(turn_id))
            current = marker is not None and marker.turn_id == turn_id
            if current and not claimed and queued_on is not None and _text(queued_on) not in live_workers:
                if await requeue(turn_id):
                    continue
            elif current and (lease or not claimed):
                continue  # running, or queued for a free worker
            user_id = marker.user_id if marker else uuid.UUID(int=0)
            if await self.reap(session_id, user_id, turn_id, WORKER_STOPPED_ERROR):
                ended += 1
        return ended


class DistributedTurns:
    """The TurnManager of a web replica in the scale-out mode: turns run on workers, events come via Redis."""

    runtime: AgentRuntime | None = None

    def __init__(
        self,
        settings: Settings,
        redis: Redis,
        dispatch: Dispatch,
        *,
        broker_check: Callable[[], None] | None = None,
    ) -> None:
        self.settings = settings
        self.broker_check = broker_check
        self.redis = redis
        self.keys = RedisTurnKeys(settings.redis_key_prefix)
        self.reaper = TurnReaper(settings, redis, self.keys)
        self.dispatch = dispatch
        self._sweeper: asyncio.Task[None] | None = None

    def start_sweeping(self) -> None:
        """End, every few heartbeats, the turns whose worker stopped while nobody was listening."""
        self._sweeper = asyncio.create_task(self._sweep_forever(), name="turn-sweeper")

    async def _sweep_forever(self) -> None:
        interval = max(5.0, self.settings.worker_heartbeat_seconds * 5)
        lease = timedelta(milliseconds=lease_ttl_ms(self.settings))
        while True:
            await asyncio.sleep(interval)
            try:
                # One replica sweeps per interval; the others skip.
                if await self.redis.set(self.keys.sweep_lock, "1", nx=True, ex=int(interval)):
                    await self.reaper.sweep(lease, await self.live_workers(), self._requeue)
            except Exception as exc:  # Redis or the database away: the next round tries again
                logger.warning("Sweeping stopped turns failed: %s", exc)

    async def start(self, plan: TurnPlan) -> TurnStream:
        """Save the user's message, open the turn's stream, and queue the turn for a worker."""
        user_message_id, turn_id = new_id(), new_id()
        marker = TurnMarker(turn_id, plan.user_id)
        running_key = self.keys.running(plan.session_id)
        try:
            workers = await self.live_workers()
            if not workers:
                raise ServiceUnavailableError(NO_WORKER_ERROR, code="no_worker")
            # SET NX: two replicas receiving a message for one session at once cannot both start a turn.
            if not await self.redis.set(running_key, marker.dumps(), nx=True):
                raise turn_running_error()
        except (RedisError, OSError) as exc:
            raise ServiceUnavailableError(REDIS_DOWN_ERROR, code="redis_unavailable") from exc
        try:
            await turn_records.save_user_message(plan, user_message_id, turn_id)
        except BaseException:
            await self.redis.delete(running_key)
            raise
        stream = self.reaper.stream(plan.session_id, plan.user_id, turn_id)
        await self.redis.set(self.keys.last_turn(plan.session_id), marker.dumps())
        await stream.publish(
            AcceptedEvent(
                session_id=plan.session_id, user_message_id=user_message_id, assistant_message_id=turn_id
            )
        )
        payload = {"plan": plan.to_payload(), "turn_id": str(turn_id), "next_event_id": 2}
        queue = await self._queue_for(plan.session_id, workers)
        if queue != shared_queue(self.settings):
            # Kept until taken: should that worker leave first, the sweep queues the turn again for any.
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.set(self.keys.queued_on(turn_id), queue.rsplit(".", 1)[1], ex=PAYLOAD_TTL_SECONDS)
                pipe.set(self.keys.payload(turn_id), json.dumps(payload), ex=PAYLOAD_TTL_SECONDS)
                await pipe.execute()
        try:
            await asyncio.to_thread(self.dispatch, payload, queue)
        except Exception as exc:
            logger.error("Could not queue the turn of session %s: %s", plan.session_id, exc)
            await self.reaper.reap(plan.session_id, plan.user_id, turn_id, BROKER_DOWN_ERROR)
            raise ServiceUnavailableError(BROKER_DOWN_ERROR, code="broker_unavailable") from exc
        return stream

    async def _requeue(self, turn_id: uuid.UUID) -> bool:
        """Queue a turn stranded in a departed worker's own queue again, for any worker (once)."""
        raw = await self.redis.get(self.keys.payload(turn_id))
        if raw is None or not await self.redis.delete(self.keys.queued_on(turn_id)):
            return False
        await asyncio.to_thread(self.dispatch, json.loads(raw), shared_queue(self.settings))
        logger.info("Turn %s waited for a worker that left; queued for any worker", turn_id)
        return True

    async def stream_for(self, session_id: uuid.UUID) -> TurnStream | None:
        marker = TurnMarker.loads(await self.redis.get(self.keys.last_turn(session_id)))
        if marker is None:
            return None
        stream = self.reaper.stream(session_id, marker.user_id, marker.turn_id)
        return stream if await self.redis.exists(stream.key) else None

    async def running_among(self, session_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
        ids = list(session_ids)
        if not ids:
            return set()
        try:
            values = await self.redis.mget([self.keys.running(sid) for sid in ids])
        except (RedisError, OSError) as exc:
            # Reading sessions must keep working with Redis away; they show as not running meanwhile.
            logger.warning("Cannot tell which sessions are running (Redis: %s)", exc)
            return set()
        return {sid for sid, value in zip(ids, values, strict=True) if value is not None}

    async def stop(self, session_id: uuid.UUID) -> bool:
        """Ask the worker running the turn to interrupt it; a turn still queued is stopped when taken."""
        marker = TurnMarker.loads(await self.redis.get(self.keys.running(session_id)))
        if marker is None:
            return False
        await self.redis.set(self.keys.stop(marker.turn_id), "1", ex=24 * 3600)
        await self._control("stop", session_id)
        return True

    async def release(self, session_id: uuid.UUID) -> None:
        """Free the session's warm agent on whichever worker holds it (deleting the session)."""
        if await self.running_among([session_id]):
            await self.stop(session_id)
        await self._control("release", session_id)
        await self.redis.delete(self.keys.warm(session_id))

    async def shutdown(self) -> None:
        """The turns go on on their workers; this replica only lets go of Redis."""
        if self._sweeper is not None:
            self._sweeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._sweeper
        await self.redis.aclose()

    async def live_workers(self) -> set[str]:
        # A sorted set, not a key per worker found by SCAN: one read whatever else Redis holds.
        now_ms = int(time.time() * 1000)
        members = await self.redis.zrangebyscore(self.keys.workers, now_ms, "+inf")
        return {_text(member) for member in members}

    async def health(self) -> str:
        """`ok: N workers`, or which part of the scale-out mode is missing (for /health)."""
        try:
            workers = await self.live_workers()
        except (RedisError, OSError) as exc:
            return f"error: redis unreachable ({type(exc).__name__})"
        if self.broker_check is not None:
            try:
                await asyncio.to_thread(self.broker_check)
            except Exception as exc:
                return f"error: broker unreachable ({type(exc).__name__})"
        return f"ok: {len(workers)} worker(s)" if workers else "error: no worker running"

    async def _queue_for(self, session_id: uuid.UUID, live: set[str]) -> str:
        """The warm worker's own queue while it is alive; else the shared queue (any worker resumes)."""
        warm = await self.redis.get(self.keys.warm(session_id))
        if warm is not None and _text(warm) in live:
            return worker_queue(self.settings, _text(warm))
        return shared_queue(self.settings)

    async def _control(self, op: str, session_id: uuid.UUID) -> None:
        await self.redis.publish(self.keys.control, json.dumps({"op": op, "session": str(session_id)}))


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
