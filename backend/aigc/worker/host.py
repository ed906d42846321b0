"""One per worker process: the event loop that holds the warm agents and runs the turns Celery hands in.

Celery's threads call `run_turn`, which runs the turn on this loop (the agents' SDK clients live on one
loop) and returns when it has ended and been saved; only then does Celery acknowledge the job. Beside the
turns the loop keeps the worker's presence and its turns' leases alive in Redis, and listens for stop and
release on the control channel.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Awaitable
from concurrent.futures import Future
from typing import Any, cast

from prometheus_client import start_http_server

from aigc.agent import events as agent_events
from aigc.agent import runtime_from_settings
from aigc.core import tracing
from aigc.core.config import Settings
from aigc.core.db import dispose_engine, get_engine
from aigc.core.metrics import REGISTRY, RUNTIME_COLLECTOR
from aigc.core.migrations import ensure_schema_current
from aigc.core.redis import redis_client
from aigc.platform.config_broadcast import ConfigBroadcast, start_config_broadcast
from aigc.sessions import turn_records
from aigc.sessions.distributed import TurnReaper, advertise, lease_ttl_ms, shared_queue, worker_queue
from aigc.sessions.events import AnyTurnEvent
from aigc.sessions.models import TurnStatus
from aigc.sessions.service import session_dir
from aigc.sessions.turn_streams import RedisTurnKeys, RedisTurnStream
from aigc.sessions.turns import WORKER_STOPPED_ERROR, TurnExecutor, TurnPlan
from aigc.storage import create_storage

logger = logging.getLogger("aigc.worker")


# KEYS: claim, lease, payload, queued-on; ARGV: worker id, lease ms. Takes the turn (once ever) and its
# lease together, and drops the copy of its payload kept for re-queueing (it may hold MCP secrets).
CLAIM_SCRIPT = """
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'EX', 86400) then
  redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
  redis.call('DEL', KEYS[3], KEYS[4])
  return 1
end
return 0
"""


def new_worker_id() -> str:
    """Unique per process start: a restarted worker is a new worker (its old queue is not its own)."""
    host = "".join(c if c.isalnum() or c in "-_" else "-" for c in socket.gethostname())[:40]
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class BestEffortSink:
    """The turn's stream as the worker writes it: Redis going away must not cost the turn its saved reply.

    Listeners then miss events (they see the reply when they reload); the turn still ends and is recorded.
    """

    def __init__(self, stream: RedisTurnStream) -> None:
        self.stream = stream
        self.failed = False

    async def publish(self, event: AnyTurnEvent) -> None:
        await self._try(self.stream.publish(event))

    async def finish(self) -> None:
        await self._try(self.stream.finish())

    async def _try(self, step: Any) -> None:
        try:
            await step
        except Exception as exc:
            if not self.failed:
                logger.error("Turn events of session %s not delivered: %s", self.stream.session_id, exc)
            self.failed = True


class WorkerHost:
    def __init__(self, settings: Settings, worker_id: str | None = None) -> None:
        self.settings = settings
        self.worker_id = worker_id or new_worker_id()
        self.keys = RedisTurnKeys(settings.redis_key_prefix)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="aigc-agents", daemon=True)
        self._running: dict[uuid.UUID, uuid.UUID] = {}  # session -> turn, for stop and the leases
        self._background: list[asyncio.Task[None]] = []
        self.config_broadcast: ConfigBroadcast | None = None
        self.retiring = False
        self._stopping = threading.Event()
        self._heartbeat = threading.Thread(target=self._beat_forever, name="aigc-heartbeat", daemon=True)

    @property
    def queues(self) -> list[str]:
        return [shared_queue(self.settings), worker_queue(self.settings, self.worker_id)]

    # --- lifecycle (called from Celery's threads)
    def start(self) -> None:
        self._thread.start()
        self._call(self._setup())

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self._call(self._teardown())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)

    def retire(self) -> None:
        """Stop advertising this worker (warm shutdown began): follow-ups go to others from now on."""
        self.retiring = True
        asyncio.run_coroutine_threadsafe(self._withdraw(), self.loop)

    async def _withdraw(self) -> None:
        with contextlib.suppress(Exception):
            await self.redis.zrem(self.keys.workers, self.worker_id)

    def run_turn(self, payload: dict[str, Any]) -> None:
        # The job's span (Celery's instrumentation, from the web request's context) is current in this
        # thread, not on the loop: it goes along as the turn span's parent.
        self._call(self._run_turn(payload, tracing.carrier()))

    def _call(self, coro: Any) -> Any:
        future: Future[Any] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result()

    # --- on the loop
    async def _setup(self) -> None:
        await ensure_schema_current(get_engine())
        self.storage = create_storage(self.settings)
        self.runtime = runtime_from_settings()
        self.executor = TurnExecutor(self.runtime, self.storage)
        self.redis = redis_client(self.settings.redis_url)
        self.reaper = TurnReaper(self.settings, self.redis, self.keys)
        await self._beat()
        # A reload asked of any web replica reaches this worker's runtime too (REDIS_URL is set here).
        self.config_broadcast = await start_config_broadcast(self.settings, lambda: self.runtime)
        RUNTIME_COLLECTOR.runtime = self.runtime
        if self.settings.worker_metrics_port:
            start_http_server(self.settings.worker_metrics_port, addr=self.settings.host, registry=REGISTRY)
        self._heartbeat.start()
        self._background = [asyncio.create_task(self._listen(), name="worker-control")]
        logger.info("Worker %s ready (queues: %s)", self.worker_id, ", ".join(self.queues))

    async def _teardown(self) -> None:
        self._stopping.set()
        for task in self._background:
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self._withdraw()
        if self.config_broadcast is not None:
            await self.config_broadcast.stop()
        await self.runtime.shutdown()
        await self.redis.aclose()
        await dispose_engine()

    async def _run_turn(self, payload: dict[str, Any], trace_parent: dict[str, str]) -> None:
        plan = TurnPlan.from_payload(payload["plan"])
        # This machine's folder for the session, whatever the replica that planned the turn has.
        plan.cwd = session_dir(self.settings, plan.user_id, plan.session_id)
        turn_id = uuid.UUID(payload["turn_id"])
        # Claim and lease in one step: a claimed turn without a lease would look abandoned to a listener.
        claimed = await cast(
            Awaitable[int],
            self.redis.eval(
                CLAIM_SCRIPT,
                4,
                self.keys.claim(turn_id),
                self.keys.lease(turn_id),
                self.keys.payload(turn_id),
                self.keys.queued_on(turn_id),
                self.worker_id,
                lease_ttl_ms(self.settings),
            ),
        )
        if not claimed:
            if await self.redis.exists(self.keys.lease(turn_id)):
                return  # a second delivery of a turn another worker is running (queued again meanwhile)
            # Redelivered: the worker that took it first stopped mid-turn. Not re-run (its tools may have
            # run); ended with the error, and the next message in the session resumes from what was saved.
            await self.reaper.reap(plan.session_id, plan.user_id, turn_id, WORKER_STOPPED_ERROR)
            return
        stream = RedisTurnStream(
            self.redis,
            self.keys,
            plan.session_id,
            plan.user_id,
            turn_id,
            ttl_seconds=self.settings.turn_stream_ttl_seconds,
            next_id=int(payload["next_event_id"]),
        )
        sink = BestEffortSink(stream)
        if await self.redis.exists(self.keys.stop(turn_id)):
            await self._end_stopped(plan, turn_id, sink)
            return
        self._running[plan.session_id] = turn_id
        try:
            await self.executor.run(plan, sink, _accepted, turn_id, trace_parent=trace_parent)
        finally:
            self._running.pop(plan.session_id, None)
            with contextlib.suppress(Exception):
                await self.redis.set(
                    self.keys.warm(plan.session_id),
                    self.worker_id,
                    ex=int(self.settings.agent_idle_release_seconds),
                )

    async def _end_stopped(self, plan: TurnPlan, turn_id: uuid.UUID, sink: BestEffortSink) -> None:
        await turn_records.end_turn_unrun(turn_id, TurnStatus.stopped)
        await sink.publish(agent_events.DoneEvent(status="stopped", message_id=turn_id))
        await sink.finish()
        logger.info("Turn %s of session %s was stopped before it started", turn_id, plan.session_id)

    async def _beat(self) -> None:
        """Presence before the first job (the heartbeat thread keeps it from then on)."""
        await advertise(self.redis, self.keys, self.worker_id, lease_ttl_ms(self.settings))

    def _beat_forever(self) -> None:
        """The heartbeat, in a thread of its own with its own connection.

        On the agents' event loop a busy moment (a burst of events, a slow callback, a loaded machine) could
        delay a renewal past the lease and get a live turn ended as lost; this thread only stops with the
        process.
        """
        from redis import Redis

        client = Redis.from_url(self.settings.redis_url, socket_connect_timeout=2, socket_timeout=2)
        ttl = lease_ttl_ms(self.settings)
        while not self._stopping.wait(self.settings.worker_heartbeat_seconds):
            try:
                pipe = client.pipeline(transaction=False)
                if not self.retiring:
                    pipe.zadd(self.keys.workers, {self.worker_id: int(time.time() * 1000) + ttl})
                for turn_id in list(self._running.copy().values()):
                    pipe.pexpire(self.keys.lease(turn_id), ttl)
                pipe.execute()
            except Exception as exc:  # Redis away: listeners will end the turns; ours go on and are saved
                logger.warning("Worker heartbeat failed: %s", exc)
        client.close()

    async def _listen(self) -> None:
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.keys.control)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            await self._control(json.loads(message["data"]))
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                logger.warning("Control channel lost (%s); listening again", exc)
                await asyncio.sleep(self.settings.worker_heartbeat_seconds)

    async def _control(self, message: dict[str, Any]) -> None:
        session_id = uuid.UUID(message["session"])
        key = str(session_id)
        if message["op"] == "stop" and session_id in self._running:
            # The turn may be between taking the job and registering its agent: try a few times.
            for _ in range(20):
                if await self.runtime.interrupt(key) or session_id not in self._running:
                    return
                await asyncio.sleep(0.05)
        elif message["op"] == "release":
            await self.runtime.release(key)


async def _accepted() -> bool:
    """The web replica saved the user's message and announced the turn before queueing it."""
    return True
