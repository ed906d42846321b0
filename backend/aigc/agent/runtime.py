"""The pool of agent processes: warm clients per session, a global run limit, idle release and shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pwd
import secrets
import shutil
import time
from collections import OrderedDict
from collections.abc import AsyncGenerator, Coroutine
from contextlib import aclosing
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from claude_agent_sdk import SessionStore

from aigc.agent import events as ev
from aigc.agent.attachments import user_content
from aigc.agent.environment import AgentEnvironment, sandbox_tools_available
from aigc.agent.options import ProcessSettings, TurnRequest, mcp_config_document
from aigc.agent.processes import AgentRecord, ProcessBook, kill_cgroup, start_time
from aigc.agent.runner import AgentProcess, TurnControl, TurnLimits, TurnOutcome, Wake, drive_turn
from aigc.agent.sandbox import (
    ShellLimits,
    ShellProfile,
    cgroup_support,
    create_cgroups,
    instance_id,
    remove_empty_bases,
    sandbox_status,
    write_shell_prefix,
)
from aigc.agent.transcripts import project_key

logger = logging.getLogger(__name__)

# Folders a system user may have as home that are (or hold) what a shell needs: never hidden.
SHARED_HOMES = (
    "/",
    "/usr",
    "/usr/bin",
    "/usr/sbin",
    "/usr/lib",
    "/usr/local/bin",
    "/bin",
    "/sbin",
    "/etc",
    "/dev",
)
# How many session ids to remember for resuming after a release (the caller also gets them in events).
REMEMBERED_SESSIONS = 10_000


@dataclass(frozen=True)
class RuntimeConfig:
    """Everything the runtime needs; tests build it directly with small timeouts."""

    data_dir: Path
    api_key: str | None = None
    base_url: str | None = None
    max_concurrent_runs: int = 8
    max_warm_clients: int = 16
    turn_timeout: float = 600.0
    stall_timeout: float = 90.0
    idle_release: float = 600.0
    interrupt_grace: float = 3.0
    connect_timeout: float = 30.0
    max_retries: int = 2
    request_timeout_ms: int = 60_000
    default_max_turns: int = 20
    reaper_interval: float | None = None  # default: a quarter of idle_release, at most 30 s
    # Shell commands see an allow-list (system folders, their session folder); these platform folders stay
    # hidden even where a deployment keeps them under an allowed one (/usr/local, /opt...), with data_dir.
    sandbox_deny_read: tuple[Path, ...] = (Path("/root"), Path("/home"))
    # Limits of the shell commands of one session, unless its turn request brings its own.
    shell_limits: ShellLimits = field(default_factory=ShellLimits)
    # One MCP tool call may take this long (the CLI's MCP_TOOL_TIMEOUT); then it ends with an error.
    mcp_tool_timeout: float = 60.0


@dataclass(frozen=True)
class RuntimeStats:
    """A snapshot for health checks and the admin page."""

    active: int
    queued: int
    warm_clients: int
    max_concurrent_runs: int


class AgentRuntime:
    """Runs agent turns for chat sessions; one instance per server process."""

    def __init__(
        self,
        config: RuntimeConfig,
        environment: AgentEnvironment | None = None,
        session_store: SessionStore | None = None,
    ) -> None:
        self.config = config
        self.environment = environment or AgentEnvironment(config.data_dir / "agent")
        # Where every agent's transcript is mirrored and resumed from (None: the CLI's local files only).
        self.session_store = session_store
        self._process_settings: ProcessSettings | None = None
        self._slots = asyncio.Semaphore(config.max_concurrent_runs)
        self._queued = 0
        self._active = 0
        self._processes: dict[str, AgentProcess] = {}
        self._turns: dict[str, TurnControl] = {}
        self._sdk_sessions: OrderedDict[str, str] = OrderedDict()
        self._release_after_turn: set[str] = set()
        self._background: set[asyncio.Task[None]] = set()
        self._reaper: asyncio.Task[None] | None = None
        self._closed = False
        self._limits = TurnLimits(config.turn_timeout, config.stall_timeout, config.interrupt_grace)
        # Leftovers of a server that crashed (its CLIs die with it, but not necessarily their commands).
        self.processes = ProcessBook(self.environment.root / "run")
        self.processes.sweep()

    # --- public API
    async def run_turn(self, req: TurnRequest) -> AsyncGenerator[ev.AgentEvent, None]:
        """Run one user message; yields events and always ends with `done`."""
        # The first probe starts bwrap (tens of ms, seconds on a loaded host): never on the event loop. Before
        # the busy check, so nothing is awaited between that check and the turn's registration.
        missing = await asyncio.to_thread(sandbox_tools_available) if req.needs_sandbox() else None
        refusal = self._refusal(req) or self._no_sandbox(missing)
        if refusal is not None:
            yield refusal
            yield ev.Done(status="error")
            return
        control = TurnControl()
        self._turns[req.session_key] = control
        try:
            # aclosing: if the caller stops listening, the inner steps release their slot at once, not at GC.
            async with aclosing(self._run_registered(req, control)) as events:
                async for event in events:
                    yield event
        finally:
            self._turns.pop(req.session_key, None)
            if control.outcome is None and control.process is not None:
                # The caller stopped listening mid-turn (client went away): do not leave the agent working.
                await self._discard(control.process)

    async def interrupt(self, session_key: str) -> bool:
        """Stop the running or queued turn of a session; False when there is none."""
        control = self._turns.get(session_key)
        if control is None:
            return False
        control.stop_requested = True
        control.stop_deadline = time.monotonic() + self.config.interrupt_grace
        control.stopped.set()
        process = control.process
        if process is not None and process.client is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(process.client.interrupt(), self.config.interrupt_grace)
            process.queue.put_nowait(Wake())
        return True

    async def release(self, session_key: str) -> bool:
        """Stop the warm agent of a session (after its running turn, if any); the next turn resumes."""
        process = self._processes.get(session_key)
        if process is None:
            return False
        if process.busy:
            self._release_after_turn.add(session_key)
            return True
        await self._close(process)
        return True

    async def shutdown(self) -> None:
        """Stop every turn and agent process; the runtime refuses new turns afterwards."""
        self._closed = True
        if self._reaper is not None:
            self._reaper.cancel()
            with contextlib.suppress(BaseException):
                await self._reaper
        await asyncio.gather(*(self.interrupt(key) for key in list(self._turns)), return_exceptions=True)
        await asyncio.gather(
            *(p.close(kill=True) for p in list(self._processes.values())), return_exceptions=True
        )
        self._processes.clear()
        if self._background:
            await asyncio.gather(*self._background, return_exceptions=True)
        remove_empty_bases(cgroup_support(instance_id(self.config.data_dir)))

    def reconfigure(self, **changes: Any) -> None:
        """Apply new timeouts, retries or idle time; turns and agent processes started from now on use them."""
        self.config = replace(self.config, **changes)
        self._limits = TurnLimits(
            self.config.turn_timeout, self.config.stall_timeout, self.config.interrupt_grace
        )
        self._process_settings = None

    def stats(self) -> RuntimeStats:
        """Counts of running turns, waiting turns and warm agent processes."""
        return RuntimeStats(self._active, self._queued, len(self._processes), self.config.max_concurrent_runs)

    def sandbox_status(self) -> dict[str, object]:
        """How shell commands are isolated and limited on this host (for the health endpoint)."""
        return sandbox_status(self.config.data_dir, self.config.shell_limits)

    def cli_pids(self) -> dict[str, int]:
        """Process id of each live agent CLI by session key (for diagnostics and tests)."""
        return {key: pid for key, p in self._processes.items() if (pid := p.pid) is not None}

    def sdk_session_id(self, session_key: str) -> str | None:
        """The agent session id last seen for a chat session (what `resume` needs)."""
        return self._sdk_sessions.get(session_key)

    # --- one turn
    def _refusal(self, req: TurnRequest) -> ev.Error | None:
        if self._closed:
            return ev.Error(
                kind="shutting_down", message="The server is restarting. Please try again shortly."
            )
        if req.session_key in self._turns:
            return ev.Error(
                kind="busy",
                message="The previous message in this conversation is still being answered.",
                retryable=False,
            )
        return None

    @staticmethod
    def _no_sandbox(missing: str | None) -> ev.Error | None:
        if missing is None:
            return None
        return ev.Error(
            kind="sandbox_unavailable",
            retryable=False,
            message="This scenario needs shell or web tools, which this server cannot run safely. "
            "Please tell an administrator.",
            detail=missing,
        )

    async def _run_registered(
        self, req: TurnRequest, control: TurnControl
    ) -> AsyncGenerator[ev.AgentEvent, None]:
        if self._slots.locked():
            self._queued += 1
            try:
                yield ev.Queued(position=self._queued)
                got_slot = await self._wait_for_slot(control)
            finally:
                self._queued -= 1
            if not got_slot:
                yield ev.Done(status="stopped")
                return
        else:
            await self._slots.acquire()
        self._active += 1
        try:
            async with aclosing(self._run_with_slot(req, control)) as events:
                async for event in events:
                    yield event
        finally:
            self._active -= 1
            self._slots.release()

    async def _wait_for_slot(self, control: TurnControl) -> bool:
        acquire = asyncio.ensure_future(self._slots.acquire())
        stop = asyncio.ensure_future(control.stopped.wait())
        try:
            await asyncio.wait({acquire, stop}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            if not acquire.done():
                acquire.cancel()
        if acquire.done() and not acquire.cancelled():
            if control.stop_requested:
                self._slots.release()
                return False
            return True
        return False

    async def _run_with_slot(
        self, req: TurnRequest, control: TurnControl
    ) -> AsyncGenerator[ev.AgentEvent, None]:
        self._ensure_reaper()
        req.cwd.mkdir(parents=True, exist_ok=True)
        process, warm, resumed = self._processes.get(req.session_key), True, False
        if process is not None and process.fingerprint != req.fingerprint():
            await self._close(
                process
            )  # the scenario changed (model, tools...): start again from the transcript
            process = None
        if process is None:
            warm = False
            resume = await self._resume_id(req)
            try:
                process = await self._start(req, resume)
            except Exception as exc:
                logger.exception("agent start failed for session %s", req.session_key)
                yield ev.Error(
                    kind="agent_crashed",
                    message="The agent could not be started. Please try again.",
                    detail=str(exc)[:500],
                )
                yield ev.Done(status="error")
                return
            resumed = resume is not None
        control.process = process
        process.busy = True
        if control.stop_requested:  # stopped while the agent was starting
            control.outcome = TurnOutcome(status="stopped")
            process.busy = False
            yield ev.Done(status="stopped", sdk_session_id=process.sdk_session_id)
            return
        yield ev.Started(warm=warm, resumed=resumed)
        content = (
            await asyncio.to_thread(user_content, req.prompt, req.cwd, req.attachments)
            if req.attachments
            else req.prompt
        )
        async with aclosing(drive_turn(process, content, control, self._limits)) as events:
            async for event in events:
                yield event
        outcome = control.outcome
        assert outcome is not None
        if control.sdk_session_id:
            self._remember(req.session_key, control.sdk_session_id)
        process.busy = False
        process.last_used = time.monotonic()
        if process.record is not None:
            # Nothing a command started outlives the turn (background tasks are off; this is the backstop).
            # In a thread: killing a cgroup waits for its processes to go, which must not stall other streams.
            await asyncio.to_thread(self._end_turn_commands, process.record)
        if not outcome.keep_process:
            await self._discard(process)
        elif req.session_key in self._release_after_turn or req.max_budget_usd is not None:
            # The CLI's budget counts the whole process's spend; a fresh process per turn makes it per turn.
            await self._close(process)
        yield ev.Done(status=outcome.status, sdk_session_id=control.sdk_session_id)

    # --- processes
    async def _start(self, req: TurnRequest, resume: str | None) -> AgentProcess:
        if self._process_settings is None:
            # Written once per runtime, so a changed SDK wheel or data_dir takes effect at the next start.
            wrapper = await asyncio.to_thread(self.environment.prepare, api_key=self.config.api_key)
            self._process_settings = ProcessSettings(
                cli_path=wrapper,
                api_key_helper=self.environment.api_key_helper_path if self.config.api_key else None,
                base_url=self.config.base_url,
                max_retries=self.config.max_retries,
                request_timeout_ms=self.config.request_timeout_ms,
                default_max_turns=self.config.default_max_turns,
                config_dir=self.environment.config_dir,
                mcp_tool_timeout_ms=int(self.config.mcp_tool_timeout * 1000),
                mcp_startup_timeout_ms=int(self.config.connect_timeout * 1000),
            )
        await self._make_room()
        process = AgentProcess(req.session_key, req.fingerprint())
        record = AgentRecord(token=secrets.token_hex(8))
        process.record, process.book = record, self.processes
        try:
            self.processes.open(record)
            prefix = (
                await asyncio.to_thread(self._prepare_shell, req, record)
                if "Bash" in req.effective_tools()
                else None
            )
            mcp_config = (
                await asyncio.to_thread(self._write_mcp_config, req, record) if req.mcp_servers else None
            )
            try:
                await process.connect(
                    req,
                    self._process_settings,
                    resume,
                    self.config.connect_timeout,
                    shell_prefix=prefix,
                    session_store=self.session_store,
                    mcp_config=mcp_config,
                )
            finally:
                # The CLI reads it once, while starting (tests/agent/test_mcp.py calls tools after it is gone).
                if mcp_config is not None:
                    mcp_config.unlink(missing_ok=True)
        except BaseException:
            await self._shielded(process.close(kill=True))
            raise
        if (pid := process.pid) is not None:
            record.pid, record.start = pid, start_time(pid) or 0
            self.processes.save(record)
        self._processes[req.session_key] = process
        return process

    def _prepare_shell(self, req: TurnRequest, record: AgentRecord) -> str:
        """Cgroups and the launcher profile of one agent's shell commands; returns the shell prefix."""
        limits = req.shell_limits or self.config.shell_limits
        cgroups = create_cgroups(cgroup_support(instance_id(self.config.data_dir)), record.token, limits)
        record.cgroups = sorted({str(path) for path in cgroups.values()})
        self.processes.save(record)
        folder = self.processes.commands_dir(record.token)
        hidden = {str(path.resolve()) for path in (self.config.data_dir, *self.config.sandbox_deny_read)}
        profile = ShellProfile(
            bwrap=shutil.which("bwrap") or "bwrap",
            cwd=str(req.cwd.resolve()),
            snapshot_dir=str(self.environment.config_dir / "shell-snapshots"),
            tmp_dir=str(self.environment.tmp_dir),
            records=str(folder),
            hidden=sorted(hidden),
            limits=asdict(limits),
            cgroups=record.cgroups,
            cgroup_controllers=sorted(cgroups),
        )
        profile.write(folder / "profile")
        return write_shell_prefix(folder, folder / "profile")

    def _write_mcp_config(self, req: TurnRequest, record: AgentRecord) -> Path:
        """The CLI's `--mcp-config` file, owner-only, under the data folder that shell commands cannot see."""
        path = self.processes.root / f"mcp-{record.token}.json"
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as file:
            file.write(mcp_config_document(req.mcp_servers))
        return path

    def _end_turn_commands(self, record: AgentRecord) -> None:
        self.processes.end_commands(record.token)
        for group in record.cgroups:
            kill_cgroup(Path(group), remove=False)

    async def _resume_id(self, req: TurnRequest) -> str | None:
        resume = req.resume or self._sdk_sessions.get(req.session_key)
        if resume and not self.environment.transcript_exists(resume) and not await self._stored(req, resume):
            # Without its transcript the CLI refuses to start; a fresh conversation is better than none.
            logger.warning(
                "no transcript for agent session %s (chat %s); starting afresh", resume, req.session_key
            )
            return None
        return resume

    async def _stored(self, req: TurnRequest, sdk_session_id: str) -> bool:
        """Whether the transcript store holds that session (the SDK then resumes from it, not from disk)."""
        if self.session_store is None:
            return False
        try:
            sessions = await self.session_store.list_sessions(project_key(req.cwd))
        except Exception:  # the database is away: the turn can still start afresh
            logger.exception("could not look up agent session %s in the transcript store", sdk_session_id)
            return False
        return any(s["session_id"] == sdk_session_id for s in sessions)

    def _remember(self, session_key: str, sdk_session_id: str) -> None:
        self._sdk_sessions[session_key] = sdk_session_id
        self._sdk_sessions.move_to_end(session_key)
        while len(self._sdk_sessions) > REMEMBERED_SESSIONS:
            self._sdk_sessions.popitem(last=False)

    async def _make_room(self) -> None:
        """Keep at most max_warm_clients processes: release the longest-idle ones first."""
        idle = sorted((p for p in self._processes.values() if not p.busy), key=lambda p: p.last_used)
        excess = len(self._processes) + 1 - self.config.max_warm_clients
        for process in idle[: max(0, excess)]:
            await self._close(process)

    async def _close(self, process: AgentProcess) -> None:
        self._forget(process)
        await self._shielded(process.close())

    async def _discard(self, process: AgentProcess) -> None:
        self._forget(process)
        await self._shielded(process.close(kill=True))

    async def _shielded(self, coro: Coroutine[Any, Any, None]) -> None:
        """Run a close to its end even if the awaiting task is cancelled (a cancelled close leaks the CLI)."""
        task = asyncio.ensure_future(coro)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        await asyncio.shield(task)

    def _forget(self, process: AgentProcess) -> None:
        if self._processes.get(process.session_key) is process:
            del self._processes[process.session_key]
        self._release_after_turn.discard(process.session_key)

    # --- idle release
    def _ensure_reaper(self) -> None:
        if self._reaper is None or self._reaper.done():
            self._reaper = asyncio.create_task(self._reap_forever(), name="agent-idle-reaper")

    async def _reap_forever(self) -> None:
        interval = self.config.reaper_interval or min(30.0, self.config.idle_release / 4)
        while True:
            await asyncio.sleep(interval)
            now = time.monotonic()
            for process in list(self._processes.values()):
                if not process.busy and now - process.last_used >= self.config.idle_release:
                    logger.info("releasing idle agent of session %s", process.session_key)
                    try:
                        await self._close(process)
                    except Exception:
                        logger.exception("releasing agent of session %s failed", process.session_key)


def runtime_from_settings() -> AgentRuntime:
    """The runtime configured from the platform settings."""
    from aigc.core.config import BASE_DIR, env_file_path, get_settings
    from aigc.sessions.transcripts import transcript_store

    settings = get_settings()
    key = settings.anthropic_api_key.get_secret_value() if settings.anthropic_api_key else None
    base_url = settings.anthropic_base_url
    if settings.demo_model_enabled:
        # No key: the agents talk to the platform's scripted model, which accepts any key.
        key, base_url = "demo", base_url or f"http://127.0.0.1:{settings.demo_model_port}"
    return AgentRuntime(
        RuntimeConfig(
            data_dir=settings.data_dir,
            api_key=key,
            base_url=base_url,
            max_concurrent_runs=settings.agent_max_concurrent_runs,
            max_warm_clients=settings.agent_max_concurrent_runs * 2,
            turn_timeout=settings.agent_turn_timeout_seconds,
            stall_timeout=settings.agent_stall_timeout_seconds,
            idle_release=settings.agent_idle_release_seconds,
            max_retries=settings.agent_max_retries,
            request_timeout_ms=settings.agent_request_timeout_ms,
            default_max_turns=settings.agent_default_max_turns,
            mcp_tool_timeout=settings.mcp_tool_timeout_seconds,
            # Hidden even under an allowed system folder: the repository holds .env (secrets), AIGC_ENV_FILE
            # may be anywhere, work_dir holds every other user's sessions, the SQLite database may live
            # anywhere, and the server user's home may hold a ~/.pgpass or cloud credentials.
            sandbox_deny_read=(
                BASE_DIR,
                env_file_path(),
                settings.work_dir,
                settings.log_dir,
                *_sqlite_files(settings.database_url),
                *_server_home(),
                Path("/root"),
                Path("/home"),
            ),
            shell_limits=ShellLimits(
                cpu_seconds=settings.agent_shell_cpu_seconds,
                cpu_cores=settings.agent_shell_cpu_cores,
                memory_mb=settings.agent_shell_memory_mb,
                max_processes=settings.agent_shell_max_processes,
                output_mb=settings.agent_shell_output_mb,
                disk_mb=settings.agent_shell_disk_mb,
            ),
        ),
        session_store=transcript_store(),
    )


def _sqlite_files(database_url: str) -> tuple[Path, ...]:
    """A SQLite database and the files beside it that hold its data (-wal, -shm, -journal)."""
    prefix = "sqlite+aiosqlite:///"
    if not database_url.startswith(prefix):
        return ()
    path = database_url.removeprefix(prefix).split("?", 1)[0]
    return tuple(Path(path + suffix) for suffix in ("", "-wal", "-shm", "-journal"))


def _server_home() -> tuple[Path, ...]:
    """The home folder of the user the server runs as (from the user database, not $HOME), if its own.

    System users often have a shared folder as home (`/`, `/bin`, `/usr/games`...): masking those would
    take what a shell needs, so only a home outside them is hidden.
    """
    try:
        home = Path(pwd.getpwuid(os.getuid()).pw_dir).resolve()
    except KeyError:  # a uid without a passwd entry (a container run with --user 12345)
        return ()
    shared = {Path(p).resolve() for p in SHARED_HOMES}
    return () if home in shared or any(home in p.parents for p in shared) else (home,)
