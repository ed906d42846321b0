"""Shared benchmark plumbing: start the real platform and the scripted model, sign in, stream turns, report.

Every benchmark runs `aigc serve` and the scripted model as subprocesses on free ports, against a fresh
SQLite database in a temporary folder, and talks to them over real HTTP. `Platform` owns those processes
and stops every one of them (and the agent CLIs they started) on exit, Ctrl-C included.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import math
import os
import platform as host
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import httpx

REPO = Path(__file__).resolve().parents[1]
VENV_BIN = REPO / "backend" / ".venv" / "bin"
AIGC = VENV_BIN / "aigc"
PYTHON = VENV_BIN / "python"
DOC = REPO / "docs" / "performance.md"
API = "/api/v1"
BENCH_USER = "bench"

# The scripted model as its own process (like the offline demo), but with a chosen pause between chunks:
# `aigc mock-model` always uses the demo's 30 ms, which would say more about the script than the platform.
_MOCK_MAIN = """
import sys, uvicorn
from aigc.mock_model import create_app
uvicorn.run(create_app(chunk_delay=float(sys.argv[2])), host="127.0.0.1", port=int(sys.argv[1]),
            lifespan="off", log_level="warning", access_log=False)
"""

_VERSIONS = (
    "import claude_agent_sdk as s, claude_agent_sdk._cli_version as c, aigc; "
    "print(s.__version__, c.__cli_version__, aigc.__version__)"
)

# A long reply streams in many small chunks (the scripted model cuts text into pieces of about 12 chars).
LONG_REPLY = (
    "Here is a benchmark answer that is long enough to arrive in many small chunks, the way a real model "
    "streams a paragraph. It has a few sentences so that the client sees a steady trickle of text deltas "
    "rather than one block, and the platform has to forward every one of them to the browser in order."
)
SHORT_REPLY = "Benchmark reply: the first token, then a few more words."


def bench_script(reply: str = SHORT_REPLY) -> dict[str, Any]:
    """Rules for the scripted model: `bench write NAME` writes NAME.md with the Write tool, anything else gets `reply`."""
    return {
        "rules": [
            {
                "name": "bench-write",
                "user": r"bench write (?P<file>\w+)",
                "steps": [
                    {
                        "text": "Writing the file now. " + reply,
                        "tool_uses": [
                            {
                                "name": "Write",
                                "input": {
                                    "file_path": "{{cwd}}/{{file}}.md",
                                    "content": "# Bench\n\n" + reply + "\n",
                                },
                            }
                        ],
                    },
                    "Saved `{{file}}.md`. " + reply,
                ],
            },
            {"name": "bench-text", "steps": [reply]},
        ]
    }


# --- processes ---------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, read from /proc/<pid>/task/*/children (depth first)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
        except OSError:
            continue
        for child in map(int, children):
            found.append(child)
            found += descendants(child)
    return found


def process_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return "?"


@dataclass(frozen=True)
class Memory:
    """Resident (RSS) and proportional (PSS: shared pages divided among their users) memory in KiB."""

    rss_kib: int = 0
    pss_kib: int = 0

    def __add__(self, other: Memory) -> Memory:
        return Memory(self.rss_kib + other.rss_kib, self.pss_kib + other.pss_kib)


def memory_of(pid: int) -> Memory:
    """RSS and PSS of one process from /proc/<pid>/smaps_rollup (zero if it is gone)."""
    values: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("Rss", "Pss"):
                values[name] = int(rest.split()[0])
    except (OSError, ValueError):
        return Memory()
    return Memory(values.get("Rss", 0), values.get("Pss", 0))


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (zero if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _stop_process(proc: subprocess.Popen[bytes], grace: float) -> None:
    """SIGTERM the process, wait `grace` seconds, then SIGKILL it and any descendant it left behind."""
    if proc.poll() is not None:
        return
    below = descendants(proc.pid)
    with contextlib.suppress(ProcessLookupError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(grace)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            proc.kill()
        proc.wait(5)
    for pid in below:  # the server stops its agents on shutdown; this only catches what a crash left
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


class Platform:
    """`aigc serve` plus the scripted model in a temporary folder; use as `with Platform() as p:`.

    Sign-in and HTTP happen inside the benchmark's own event loop (see `signed_in_client`).
    """

    def __init__(
        self, *, max_concurrent_runs: int = 20, chunk_delay: float = 0.0, keep: bool = False
    ) -> None:
        self.max_concurrent_runs = max_concurrent_runs
        self.chunk_delay = chunk_delay
        self.keep = keep
        self.root = Path(tempfile.mkdtemp(prefix="aigc-bench-"))
        self.password = secrets.token_urlsafe(16)
        self.port = free_port()
        self.mock_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mock_url = f"http://127.0.0.1:{self.mock_port}"
        self.server: subprocess.Popen[bytes] | None = None
        self.mock: subprocess.Popen[bytes] | None = None
        self.env = self._environment()

    def _environment(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "MINIO_"))}
        env.update(
            {
                "DEBUG": "true",
                "JWT_SECRET_KEY": secrets.token_urlsafe(48),
                "ANTHROPIC_API_KEY": "",  # empty beats a key in the repository's .env: demo mode
                "ANTHROPIC_BASE_URL": "",
                "MINIO_ENDPOINT": "",
                "DEMO_MODEL_PORT": str(self.mock_port),
                "DATA_DIR": str(self.root / "data"),
                "WORK_DIR": str(self.root / "work_dir"),
                "LOG_DIR": str(self.root / "logs"),
                "DATABASE_URL": f"sqlite+aiosqlite:///{self.root / 'bench.db'}",
                "FRONTEND_DIST_DIR": str(self.root / "no-frontend"),
                "LOGIN_MAX_ATTEMPTS_PER_IP": "10000",
                # The benchmark clients sign in once; a 30-minute soak must not end in expired tokens.
                "ACCESS_TOKEN_EXPIRE_MINUTES": "1440",
                "AGENT_MAX_CONCURRENT_RUNS": str(self.max_concurrent_runs),
                "AGENT_IDLE_RELEASE_SECONDS": "3600",
                "LOG_LEVEL": "INFO",
            }
        )
        return env

    def __enter__(self) -> Self:
        self._old_sigterm = signal.signal(signal.SIGTERM, _raise_interrupt)
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _run(self, *args: str) -> None:
        done = subprocess.run(
            [str(AIGC), *args], check=False, env=self.env, cwd=self.root, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise RuntimeError(
                f"aigc {' '.join(args[:2])} failed: {done.stderr.strip() or done.stdout.strip()}"
            )

    def start(self) -> None:
        self._run("db", "upgrade")
        self._run("create-admin", "--username", BENCH_USER, "--password", self.password)
        self._spawn_mock()
        log = open(self.root / "server.out", "wb")  # noqa: SIM115
        self.server = subprocess.Popen(
            [str(AIGC), "serve", "--port", str(self.port)],
            env=self.env,
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready(f"{self.mock_url}/_mock/health", self.mock)
        self._wait_ready(f"{self.url}{API}/health", self.server)

    def _spawn_mock(self) -> None:
        """The scripted model as a process of its own (its readiness is waited for by the caller)."""
        log = open(self.root / "mock.out", "wb")  # noqa: SIM115 - lives as long as the process
        self.mock = subprocess.Popen(
            [str(PYTHON), "-c", _MOCK_MAIN, str(self.mock_port), str(self.chunk_delay)],
            env=self.env,
            cwd=self.root,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def _wait_ready(self, url: str, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"{url} exited with {proc.returncode}; see {self.root}/*.out\n{self.tail()}"
                )
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(url, timeout=1).status_code == 200:
                    return
            time.sleep(0.1)
        raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")

    def tail(self, lines: int = 30) -> str:
        """The end of the server's output (for error messages)."""
        path = self.root / "server.out"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""

    def stop(self) -> None:
        for proc in (self.server, self.mock):
            if proc is not None:
                _stop_process(proc, grace=20)
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)
        with contextlib.suppress(AttributeError, ValueError):
            signal.signal(signal.SIGTERM, self._old_sigterm)

    @property
    def server_pid(self) -> int:
        assert self.server is not None
        return self.server.pid

    def agent_pids(self) -> list[int]:
        """Every process the server started (agent CLIs and whatever they run)."""
        return descendants(self.server_pid)


# --- HTTP: sign in, sessions, turns, the scripted model -----------------------------------------------------


async def signed_in_client(p: Platform) -> httpx.AsyncClient:
    """An HTTP client for the platform with the bench admin's bearer token."""
    client = httpx.AsyncClient(
        base_url=p.url,
        timeout=httpx.Timeout(180.0),
        limits=httpx.Limits(max_connections=200, max_keepalive_connections=200),
    )
    response = await client.post(f"{API}/auth/login", data={"username": BENCH_USER, "password": p.password})
    response.raise_for_status()
    client.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
    return client


async def new_session(client: httpx.AsyncClient) -> str:
    response = await client.post(f"{API}/sessions", json={})
    response.raise_for_status()
    return response.json()["id"]


async def set_script(client: httpx.AsyncClient, mock_url: str, script: dict[str, Any]) -> None:
    (await client.put(f"{mock_url}/_mock/script", json=script)).raise_for_status()


async def model_requests(
    client: httpx.AsyncClient, mock_url: str, clear: bool = True
) -> list[dict[str, Any]]:
    """The /v1/messages requests the scripted model received (`body`, `received_at`), and forget them."""
    records = (await client.get(f"{mock_url}/_mock/requests")).json()["requests"]
    if clear:
        await client.delete(f"{mock_url}/_mock/requests")
    return [r for r in records if r["path"] == "/v1/messages"]


@dataclass
class Turn:
    """One streamed turn as the browser saw it; times in seconds from sending the request."""

    status: str = "none"
    error: str | None = None
    http_status: int = 0
    at: dict[str, float] = field(default_factory=dict)  # first arrival of each event kind
    sent_at: float = 0.0  # wall clock (time.time()) when the request was sent, to place the model's log in it
    total: float = 0.0
    warm: bool | None = None
    kinds: list[str] = field(default_factory=list)
    text: str = ""
    tools: int = 0
    artifacts: int = 0

    @property
    def first_text(self) -> float | None:
        return self.at.get("text_delta")

    @property
    def ok(self) -> bool:
        return self.status == "ok" and self.error is None and "error" not in self.kinds


async def sse_events(response: httpx.Response) -> Any:
    """Yield (event name, data dict) as each SSE event completes on the wire."""
    import json

    name, data = "message", []
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield name, json.loads("\n".join(data))
            name, data = "message", []
        elif line.startswith(":"):
            continue
        else:
            key, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if key == "event":
                name = value
            elif key == "data":
                data.append(value)
    if data:
        yield name, json.loads("\n".join(data))


async def send_turn(client: httpx.AsyncClient, session_id: str, content: str) -> Turn:
    """POST a message and read the turn's SSE stream to the end, timing the first event and first text."""
    turn = Turn(sent_at=time.time())
    start = time.perf_counter()
    try:
        async with client.stream(
            "POST", f"{API}/sessions/{session_id}/messages", json={"content": content}
        ) as response:
            turn.http_status = response.status_code
            if response.status_code != 200:
                await response.aread()
                turn.error = f"HTTP {response.status_code}: {response.text[:200]}"
                return turn
            async for name, data in sse_events(response):
                now = time.perf_counter() - start
                turn.kinds.append(name)
                turn.at.setdefault(name, now)
                if name == "text_delta":
                    turn.text += data.get("text", "")
                elif name == "text_reset":
                    turn.text = data.get("text", "")
                elif name == "started":
                    turn.warm = bool(data.get("warm"))
                elif name == "tool_started":
                    turn.tools += 1
                elif name == "artifact":
                    turn.artifacts += 1
                elif name == "error":
                    turn.error = data.get("message") or "error event"
                elif name == "done":
                    turn.status = data.get("status", "?")
                    turn.error = turn.error or data.get("error")
    except httpx.HTTPError as exc:
        turn.error = f"{type(exc).__name__}: {exc}"
    finally:
        turn.total = time.perf_counter() - start
    return turn


async def direct_first_delta(client: httpx.AsyncClient, mock_url: str, body: dict[str, Any]) -> float:
    """Time to the first content_block_delta of a streaming POST /v1/messages straight to the model."""
    body = {**body, "stream": True}
    headers = {"x-api-key": "demo", "anthropic-version": "2023-06-01", "content-type": "application/json"}
    start = time.perf_counter()
    first: float | None = None
    async with client.stream(
        "POST", f"{mock_url}/v1/messages?beta=true", json=body, headers=headers
    ) as response:
        response.raise_for_status()
        async for line in response.aiter_lines():
            if first is None and line == "event: content_block_delta":
                first = time.perf_counter() - start
    if first is None:
        raise RuntimeError("the scripted model streamed no content_block_delta")
    return first


# --- figures ------------------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolation percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value * 1000:.0f}"


def mib(kib: float) -> str:
    return f"{kib / 1024:.1f}"


def table(headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A Markdown table (readable as plain text too: columns are padded)."""
    rows = [[str(c) for c in row] for row in rows]
    widths = [max(3, len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    numeric = [
        all(re.fullmatch(r"[-+–]?[\d.,]+ ?%?", r[i] or "0") for r in rows) if rows else False
        for i in range(len(headers))
    ]

    def line(cells: Sequence[str]) -> str:
        padded = [c.rjust(w) if num else c.ljust(w) for c, w, num in zip(cells, widths, numeric, strict=True)]
        return "| " + " | ".join(padded) + " |"

    rule = (
        "| "
        + " | ".join(
            ("-" * (w - 1) + ":") if num else "-" * w for w, num in zip(widths, numeric, strict=True)
        )
        + " |"
    )
    return "\n".join([line(headers), rule, *(line(r) for r in rows)])


def machine() -> str:
    """One paragraph describing this machine and the software versions."""
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_gib = 0.0
    with contextlib.suppress(OSError, ValueError):
        mem_gib = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    versions = subprocess.run(
        [
            str(PYTHON),
            "-c",
            _VERSIONS,
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split() or ["?", "?", "?"]
    return (
        f"{os.cpu_count()} cores ({cpu}), {mem_gib:.0f} GiB RAM, {host.system()} {host.release()}, "
        f"Python {host.python_version()}, claude-agent-sdk {versions[0]} (bundled CLI {versions[1]}), "
        f"aigc {versions[2]}."
    )


def load_note() -> str:
    """The 1-minute load average, with a warning when something else is keeping the machine busy."""
    load = os.getloadavg()[0]
    if load > 1.0:
        print(
            f"warning: load average {load:.2f}: other work on this machine will show in the figures",
            file=sys.stderr,
        )
    return f"load average {load:.2f} at start"


def stamp() -> str:
    return f"{dt.datetime.now():%Y-%m-%d %H:%M}"


# --- docs/performance.md ------------------------------------------------------------------------------------

SECTIONS = ("machine", "ttft", "memory", "concurrency")
_TEMPLATE = """# Performance

Speed and memory targets of the platform live in runnable benchmarks (`bench/`), not in timed tests: a
test that fails when a shared CI machine is slow teaches nobody anything, a figure with its method does.
Each benchmark starts the real server (`aigc serve`) and the scripted model as subprocesses against a fresh
SQLite database, drives it over HTTP like the web app does, and reads the Server-Sent Events as they arrive.
How to run them: [bench/README.md](../bench/README.md). Each section below is refreshed by
`backend/.venv/bin/python bench/<name>.py --write`; text outside the marked sections is kept.

{sections}
"""


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name}:start -->", f"<!-- bench:{name}:end -->"


def write_section(name: str, body: str) -> None:
    """Replace (or add) the marked section `name` of docs/performance.md, and refresh the machine section."""
    _replace(name, body)
    _replace("machine", f"## Machine\n\n{machine()}\n")
    print(f"\nWrote the {name} section of {DOC.relative_to(REPO)}")


def _replace(name: str, body: str) -> None:
    if not DOC.exists():
        DOC.parent.mkdir(parents=True, exist_ok=True)
        DOC.write_text(_TEMPLATE.format(sections="\n\n".join("\n".join(_markers(s)) for s in SECTIONS)))
    replace_marked_section(DOC, *_markers(name), body)


def replace_marked_section(doc: Path, start: str, end: str, body: str, new_doc: str = "") -> None:
    """Put `body` between the `start` and `end` markers of `doc` (appended when the markers are missing)."""
    text = doc.read_text(encoding="utf-8") if doc.exists() else new_doc
    block = f"{start}\n{body.strip()}\n{end}"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    doc.parent.mkdir(parents=True, exist_ok=True)
    doc.write_text(text, encoding="utf-8")


def parser(description: str) -> argparse.ArgumentParser:
    """The options every benchmark shares."""
    p = argparse.ArgumentParser(description=description)
    p.add_argument(
        "--write", action="store_true", help=f"refresh this benchmark's section of {DOC.relative_to(REPO)}"
    )
    p.add_argument(
        "--keep", action="store_true", help="keep the temporary folder (database, logs) for a look afterwards"
    )
    return p


def run(body: Callable[[Platform], Awaitable[int | None]], **platform: Any) -> int:
    """Start the platform, run the async benchmark body against it, and stop everything, Ctrl-C included."""
    try:
        with Platform(**platform) as p:
            return asyncio.run(body(p)) or 0
    except KeyboardInterrupt:
        print("\ninterrupted; every started process was stopped", file=sys.stderr)
        return 130
