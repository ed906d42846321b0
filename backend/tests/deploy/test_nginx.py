"""deploy/nginx/aigc.conf run by a real nginx in front of the real scale-out topology (bench/topology.py).

Two `aigc serve` replicas and one `aigc worker` on loopback; nginx gets the shipped file with two changes,
the only ones a loopback run needs: the upstream's `server web:8000 resolve ...` (Docker's DNS name; `resolve`
needs nginx 1.27.3, Debian 12 has 1.22) becomes one line per replica, and `listen 80` a free loopback port.
Everything else, the SSE locations included, is the file as shipped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from aigc.core.config import BASE_DIR as REPO_ROOT
from aigc.core.config import Settings

NGINX = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/sbin")
if NGINX is None:
    pytest.skip(
        "nginx is not installed, so deploy/nginx/aigc.conf cannot be run here "
        "(Debian: apt-get install nginx; scripts/test.sh installs it when run as root)",
        allow_module_level=True,
    )

BENCH = REPO_ROOT / "bench"
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

from common import API, BENCH_USER, free_port  # noqa: E402  bench/common.py
from topology import ScaledPlatform  # noqa: E402  bench/topology.py

CONFIG = REPO_ROOT / "deploy" / "nginx" / "aigc.conf"
CHUNK = "Streamed through nginx in small pieces. "
LONG_REPLY = CHUNK * 30  # about 100 chunks at 30 ms: three seconds or more of streaming
QUICK_REPLY = "Quick reply."
SCRIPT = {
    "rules": [
        {"name": "long", "user": r"^long", "steps": [LONG_REPLY]},
        {"name": "quick", "steps": [QUICK_REPLY]},
    ]
}

pytestmark = pytest.mark.timeout(240)


def loopback_config(text: str, replica_ports: list[int], listen_port: int) -> str:
    """The shipped server block with the replicas on loopback and a free port to listen on."""
    upstream = re.compile(r"^(\s*)server web:8000 resolve (.*);$", re.MULTILINE)
    match = upstream.search(text)
    assert match, "deploy/nginx/aigc.conf no longer has `server web:8000 resolve ...;`: update this test"
    indent, parameters = match.groups()
    servers = "\n".join(f"{indent}server 127.0.0.1:{port} {parameters};" for port in replica_ports)
    text = upstream.sub(lambda _: servers, text, count=1)
    text, listens = re.subn(r"^(\s*)listen 80;$", rf"\1listen 127.0.0.1:{listen_port};", text, flags=re.M)
    assert listens == 1, "deploy/nginx/aigc.conf should listen on port 80 once"
    return text


def main_config(root: Path) -> str:
    """What the nginx image's own nginx.conf provides around conf.d/*.conf, with every path in `root`."""
    # As root, nginx's workers would run as `nobody`, which cannot enter pytest's private temporary folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {root / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return (
        f"{user}worker_processes 1;\npid {root / 'nginx.pid'};\nerror_log {root / 'error.log'} info;\n"
        "events { worker_connections 256; }\n"
        f"http {{\n    access_log off;\n{temp}\n    include {root / 'aigc.conf'};\n}}\n"
    )


@dataclass
class Proxy:
    url: str
    root: Path


@pytest.fixture(scope="module")
def topology() -> Iterator[ScaledPlatform]:
    with ScaledPlatform(
        web=2,
        workers=1,
        chunk_delay=0.03,
        database_url=os.environ.get("TEST_DATABASE_URL") or None,
    ) as platform:
        yield platform


@pytest.fixture(scope="module")
def proxy(topology: ScaledPlatform, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Proxy]:
    assert NGINX is not None
    root = tmp_path_factory.mktemp("nginx")
    port = free_port()
    (root / "aigc.conf").write_text(loopback_config(CONFIG.read_text(), topology.web_ports, port))
    (root / "nginx.conf").write_text(main_config(root))
    command = [NGINX, "-p", str(root), "-e", str(root / "error.log"), "-c", str(root / "nginx.conf")]
    checked = subprocess.run([*command, "-t"], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen(
        [*command, "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"nginx did not start: {(root / 'error.log').read_text(errors='replace')}")
            time.sleep(0.05)
        yield Proxy(f"http://127.0.0.1:{port}", root)
    finally:
        process.terminate()  # the master stops its workers on SIGTERM
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.fixture
async def client(topology: ScaledPlatform, proxy: Proxy) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=proxy.url, timeout=httpx.Timeout(60.0)) as http:
        response = await http.post(
            f"{API}/auth/login", data={"username": BENCH_USER, "password": topology.password}
        )
        response.raise_for_status()
        http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        (await http.put(f"{topology.mock_url}/_mock/script", json=SCRIPT)).raise_for_status()
        yield http


@dataclass(frozen=True)
class Received:
    id: int
    name: str
    data: dict[str, Any]
    at: float  # time.monotonic() when the event's last line was read


async def events_of(response: httpx.Response) -> AsyncIterator[Received]:
    """Server-Sent Events as each one completes at the client, with the moment it did."""
    event_id, name, data = 0, "message", list[str]()
    async for line in response.aiter_lines():
        if not line:
            if data:
                yield Received(event_id, name, json.loads("\n".join(data)), time.monotonic())
            event_id, name, data = 0, "message", []
        elif not line.startswith(":"):
            key, _, value = line.partition(":")
            value = value.removeprefix(" ")
            if key == "id":
                event_id = int(value)
            elif key == "event":
                name = value
            elif key == "data":
                data.append(value)


def text_of(events: list[Received]) -> str:
    return "".join(event.data["text"] for event in events if event.name == "text_delta")


async def new_session(client: httpx.AsyncClient) -> str:
    response = await client.post(f"{API}/sessions", json={})
    response.raise_for_status()
    return str(response.json()["id"])


async def test_a_turn_streams_through_nginx_as_it_happens(client: httpx.AsyncClient) -> None:
    session_id = await new_session(client)
    events: list[Received] = []
    async with client.stream(
        "POST", f"{API}/sessions/{session_id}/messages", json={"content": "long answer"}
    ) as response:
        assert response.status_code == 200, (await response.aread()).decode()
        assert response.headers["content-type"].startswith("text/event-stream")
        # Passed on for a second proxy in front of this one.
        assert response.headers.get("x-accel-buffering") == "no"
        async for event in events_of(response):
            events.append(event)
    assert events[-1].name == "done" and events[-1].data["status"] == "ok", events[-3:]
    assert text_of(events) == LONG_REPLY
    deltas = [event for event in events if event.name == "text_delta"]
    streaming = events[-1].at - deltas[0].at
    # The model takes ~3 s (30 ms per chunk). With nginx buffering and compressing this route (and ignoring
    # the replicas' X-Accel-Buffering), the whole reply arrived with `done`, 0.00 s apart (checked by hand).
    assert streaming > 1.5, f"the first text arrived only {streaming:.2f} s before `done`"
    # Unbuffered, the ~100 deltas arrive one by one, 30 ms apart; buffered (4-8 kB at a time), in a few bursts.
    gaps = [later.at - earlier.at for earlier, later in zip(deltas, deltas[1:], strict=False)]
    bursts = 1 + sum(gap > 0.01 for gap in gaps)
    assert bursts >= len(deltas) // 4, f"{len(deltas)} text events arrived in {bursts} bursts"


async def test_re_attach_through_nginx_with_last_event_id_misses_nothing(client: httpx.AsyncClient) -> None:
    session_id = await new_session(client)
    seen: list[Received] = []
    async with client.stream(
        "POST", f"{API}/sessions/{session_id}/messages", json={"content": "long again"}
    ) as response:
        async for event in events_of(response):
            seen.append(event)
            if sum(item.name == "text_delta" for item in seen) == 5:
                break  # the browser goes away mid-answer
    rest: list[Received] = []
    async with client.stream(
        "GET", f"{API}/sessions/{session_id}/stream", headers={"Last-Event-ID": str(seen[-1].id)}
    ) as response:
        assert response.status_code == 200
        async for event in events_of(response):
            rest.append(event)
    ids = [event.id for event in seen + rest]
    assert ids == list(range(1, len(ids) + 1))  # each event once, in order, whichever replica served it
    assert rest[-1].name == "done" and rest[-1].data["status"] == "ok"
    assert text_of(seen + rest) == LONG_REPLY


async def test_a_stopped_replica_is_skipped_and_no_message_is_lost(
    topology: ScaledPlatform, client: httpx.AsyncClient
) -> None:
    topology.kill_web(0)
    try:
        # Round robin sends every other request to the dead replica; nginx moves each to the live one,
        # POSTs included (the connection was refused, so nothing had been sent).
        for turn in range(4):
            session_id = await new_session(client)
            async with client.stream(
                "POST", f"{API}/sessions/{session_id}/messages", json={"content": f"quick {turn}"}
            ) as response:
                assert response.status_code == 200, (await response.aread()).decode()
                events = [event async for event in events_of(response)]
            assert events[-1].data["status"] == "ok" and text_of(events) == QUICK_REPLY
            detail = await client.get(f"{API}/sessions/{session_id}")
            assert detail.status_code == 200, detail.text
            assert [message["role"] for message in detail.json()["messages"]] == ["user", "assistant"]
    finally:
        await asyncio.to_thread(topology.start_web, 0)


async def test_bodies_over_the_replicas_limit_are_refused_by_nginx(proxy: Proxy) -> None:
    limit = Settings.model_fields["max_request_body_bytes"].default
    # The upload route takes its files at their largest (UPLOAD_MAX_FILES x UPLOAD_MAX_FILE_MB + 1 MiB).
    upload_limit = Settings.model_construct().upload_max_request_bytes
    host, port = proxy.url.removeprefix("http://").split(":")

    def status_for(length: int, path: str = f"{API}/skills") -> int:
        # Headers only: nginx answers from the declared length, before any of the body arrives.
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(
                f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: {length}\r\n"
                "Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n".encode()
            )
            sock.settimeout(2)
            with contextlib.suppress(TimeoutError):
                head = sock.recv(200).decode(errors="replace")
                return int(head.split()[1])
        return 0  # nginx accepted the headers and waits for the body

    assert await asyncio.to_thread(status_for, limit + 1) == 413
    assert await asyncio.to_thread(status_for, limit) == 0
    files = f"{API}/sessions/{uuid.uuid4()}/files"
    assert await asyncio.to_thread(status_for, upload_limit + 1, files) == 413
    # Unbuffered: the request reaches a replica at once, which refuses it for its missing token (not its size).
    assert await asyncio.to_thread(status_for, upload_limit, files) == 401


async def test_metrics_are_not_offered_through_the_balancer(proxy: Proxy) -> None:
    async with httpx.AsyncClient(base_url=proxy.url) as http:
        assert (await http.get("/metrics")).status_code == 404
        assert (await http.get(f"{API}/health")).status_code in (200, 503)
