"""A full disk under work_dir ends the turn cleanly: simulated with a small tmpfs mounted over the user's
folder (root only; skipped otherwise). The turn streams `done`, its message is saved (the database is not
on that disk), no 500 and no hang, and once there is room again the next turn works.

Two ways to be full: no free bytes (the agent's Write fails, the model hears about it and the turn goes on)
and no free inodes (the platform cannot even create the session folder: the turn ends as an error).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from aigc.core.config import Settings
from aigc.mock_model.testing import MockModelServer
from tests.factories import SignedIn, signed_in_user
from tests.sse import of, parse

API = "/api/v1/sessions"
BIG = "x" * 300_000


@contextlib.contextmanager
def tmpfs(folder: Path, options: str) -> Iterator[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield folder
    finally:
        if subprocess.run(["umount", str(folder)], capture_output=True, check=False).returncode != 0:
            subprocess.run(["umount", "-l", str(folder)], check=True)  # a warm agent still has its cwd there


def fill(folder: Path) -> None:
    """Write until the file system says it is full."""
    with open(folder / "filler.bin", "wb") as handle, contextlib.suppress(OSError):
        while True:
            handle.write(b"\0" * 65536)
            handle.flush()


async def send(
    client: httpx.AsyncClient, user: SignedIn, session_id: str, content: str
) -> tuple[list, float]:
    started = time.monotonic()
    response = await client.post(
        f"{API}/{session_id}/messages", json={"content": content}, headers=user.headers
    )
    assert response.status_code == 200, response.text
    return parse(response.text), time.monotonic() - started


@pytest.fixture
def script(model: MockModelServer) -> None:
    write = {"name": "Write", "input": {"file_path": "{{cwd}}/big.txt", "content": BIG}}
    model.set_script(
        [{"user": "write the big file", "steps": [{"tool_use": write}, "Tried: {{tool_result}}"]}]
    )


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
async def test_no_free_bytes_fails_the_write_and_the_turn_goes_on(
    client: httpx.AsyncClient, model: MockModelServer, settings: Settings, script: None
) -> None:
    user = await signed_in_user(client)
    session_id = (await client.post(API, json={}, headers=user.headers)).json()["id"]
    with tmpfs(settings.work_dir / str(user.user.id), "size=1m") as folder:
        fill(folder)
        events, seconds = await send(client, user, session_id, "write the big file")
        assert events[-1].event == "done", [e.event for e in events]
        assert events[-1].data["status"] in ("ok", "error")
        finished = of(events, "tool_finished")
        assert finished and finished[0]["is_error"] is True, finished
        assert of(events, "artifact") == []
        detail = (await client.get(f"{API}/{session_id}", headers=user.headers)).json()
        assert detail["messages"][1]["status"] == events[-1].data["status"] and not detail["is_running"]
        print(
            f"\nfull disk (bytes): turn ended '{events[-1].data['status']}' in {seconds:.1f} s; "
            f"the tool said: {finished[0]['result_summary'][:120]!r}"
        )

        (folder / "filler.bin").unlink()
        events, _ = await send(client, user, session_id, "write the big file")
        assert events[-1].data["status"] == "ok"
        assert [a["path"] for a in of(events, "artifact")] == ["big.txt"]
        assert (await client.delete(f"{API}/{session_id}", headers=user.headers)).status_code == 204


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")
async def test_no_room_for_the_session_folder_ends_the_turn_as_an_error(
    client: httpx.AsyncClient, model: MockModelServer, settings: Settings, script: None
) -> None:
    user = await signed_in_user(client)
    session_id = (await client.post(API, json={}, headers=user.headers)).json()["id"]
    with tmpfs(settings.work_dir / str(user.user.id), "size=1m,nr_inodes=1"):
        events, seconds = await send(client, user, session_id, "write the big file")
        assert events[-1].event == "done" and events[-1].data["status"] == "error"
        (error,) = of(events, "error")
        assert error["message"] and "Traceback" not in error["message"]
        detail = (await client.get(f"{API}/{session_id}", headers=user.headers)).json()
        assert detail["messages"][1]["status"] == "error" and detail["messages"][1]["error"]
        print(f"\nfull disk (inodes): turn ended 'error' in {seconds:.1f} s: {error['message']!r}")
    events, _ = await send(client, user, session_id, "write the big file")
    assert events[-1].data["status"] == "ok" and [a["path"] for a in of(events, "artifact")] == ["big.txt"]
