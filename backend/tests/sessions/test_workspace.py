"""Session files follow the session: a folder missing or behind gets the stored artifacts before the turn."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from aigc.core.config import Settings
from aigc.core.db import session_scope
from aigc.mock_model.testing import MockModelServer
from aigc.sessions import repository, workspace
from aigc.sessions.models import Artifact, ChatSession
from aigc.sessions.service import session_dir
from aigc.sessions.workspace import ensure_workspace
from aigc.storage import ArtifactStorage, LocalStorage
from tests.factories import create_user, signed_in_user
from tests.sessions.test_turns import detail, new_session, send
from tests.storage.helpers import make_minio


@pytest.fixture(params=["local", "minio"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStorage:
    """Each backend in turn: local disk and a real S3 server (moto)."""
    if request.param == "local":
        return LocalStorage(tmp_path / "artifacts")
    return make_minio(request.getfixturevalue("s3_endpoint"))


@dataclass
class Chat:
    user_id: uuid.UUID
    session_id: uuid.UUID
    cwd: Path


@pytest.fixture
async def chat(settings: Settings) -> Chat:
    user = await create_user()
    async with session_scope() as db:
        row = ChatSession(user_id=user.id)
        db.add(row)
    return Chat(user.id, row.id, session_dir(settings, user.id, row.id))


async def add_artifact(
    storage: ArtifactStorage,
    chat: Chat,
    path: str,
    data: bytes,
    *,
    status: str = "stored",
    upload: bool = True,
) -> None:
    """What a turn on another worker leaves behind: the object in storage and its row (new or updated)."""
    key = f"{chat.user_id}/{chat.session_id}/{path}"
    if upload:
        await storage.put_bytes(key, data)
    async with session_scope() as db:
        row = await repository.get_artifact_by_path(db, chat.session_id, path) or Artifact(
            session_id=chat.session_id,
            user_id=chat.user_id,
            path=path,
            name=Path(path).name,
            storage_key=key,
            sha256="",
        )
        row.sha256 = hashlib.sha256(data).hexdigest()
        row.size = len(data)
        row.upload_status = status
        db.add(row)


async def set_status(chat: Chat, path: str, status: str) -> None:
    async with session_scope() as db:
        row = await repository.get_artifact_by_path(db, chat.session_id, path)
        assert row is not None
        row.upload_status = status
        db.add(row)


async def ensure(storage: ArtifactStorage, chat: Chat) -> int:
    return await ensure_workspace(storage, chat.cwd, chat.user_id, chat.session_id)


async def test_a_missing_folder_gets_every_stored_file(storage: ArtifactStorage, chat: Chat) -> None:
    await add_artifact(storage, chat, "report.md", b"# Report\n")
    await add_artifact(storage, chat, "out/data.csv", b"a,b\n1,2\n")
    assert not chat.cwd.exists()

    assert await ensure(storage, chat) == 2
    assert (chat.cwd / "report.md").read_bytes() == b"# Report\n"
    assert (chat.cwd / "out" / "data.csv").read_bytes() == b"a,b\n1,2\n"
    # Only the files: no temporary file is left behind, the marker sits in .claude.
    assert sorted(p.name for p in chat.cwd.iterdir()) == [".claude", "out", "report.md"]
    assert workspace.read_marker(chat.cwd) == {
        "report.md": hashlib.sha256(b"# Report\n").hexdigest(),
        "out/data.csv": hashlib.sha256(b"a,b\n1,2\n").hexdigest(),
    }
    assert await ensure(storage, chat) == 0


async def test_a_folder_in_step_keeps_what_the_agent_did_here(storage: ArtifactStorage, chat: Chat) -> None:
    await add_artifact(storage, chat, "report.md", b"# Report\n")
    await add_artifact(storage, chat, "notes.txt", b"notes\n")
    assert await ensure(storage, chat) == 2
    # The agent edited one file and deleted the other on this machine after the folder was restored.
    (chat.cwd / "report.md").write_bytes(b"# Edited here\n")
    (chat.cwd / "notes.txt").unlink()

    assert await ensure(storage, chat) == 0
    assert (chat.cwd / "report.md").read_bytes() == b"# Edited here\n"
    assert not (chat.cwd / "notes.txt").exists()

    # Another worker adds a file: only that one is fetched, the deleted one does not come back.
    await add_artifact(storage, chat, "summary.md", b"summary\n")
    assert await ensure(storage, chat) == 1
    assert (chat.cwd / "summary.md").read_bytes() == b"summary\n"
    assert not (chat.cwd / "notes.txt").exists()
    assert (chat.cwd / "report.md").read_bytes() == b"# Edited here\n"


async def test_a_newer_version_from_another_worker_replaces_the_old_one(
    storage: ArtifactStorage, chat: Chat
) -> None:
    await add_artifact(storage, chat, "report.md", b"version 1\n")
    assert await ensure(storage, chat) == 1
    await add_artifact(storage, chat, "report.md", b"version 2, written on another worker\n")

    assert await ensure(storage, chat) == 1
    assert (chat.cwd / "report.md").read_bytes() == b"version 2, written on another worker\n"


async def test_files_written_here_are_taken_in_without_a_download(
    storage: ArtifactStorage, chat: Chat
) -> None:
    # A turn on this machine wrote the file; its upload is recorded but storage no longer has the object.
    chat.cwd.mkdir(parents=True)
    (chat.cwd / "report.md").write_bytes(b"# Written here\n")
    await add_artifact(storage, chat, "report.md", b"# Written here\n", upload=False)

    assert await ensure(storage, chat) == 0
    assert workspace.read_marker(chat.cwd) == {"report.md": hashlib.sha256(b"# Written here\n").hexdigest()}


async def test_a_link_in_the_folder_is_never_followed(
    storage: ArtifactStorage, chat: Chat, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    chat.cwd.mkdir(parents=True)
    (chat.cwd / "out").symlink_to(outside)
    await add_artifact(storage, chat, "out/data.csv", b"a,b\n")
    await add_artifact(storage, chat, "report.md", b"# Report\n")

    assert await ensure(storage, chat) == 1
    assert list(outside.iterdir()) == []
    assert (chat.cwd / "report.md").read_bytes() == b"# Report\n"


async def test_an_upload_still_running_is_waited_for(storage: ArtifactStorage, chat: Chat) -> None:
    await add_artifact(storage, chat, "report.md", b"# Report\n", status="pending", upload=False)

    async def finish_upload() -> None:
        await asyncio.sleep(0.3)
        await add_artifact(storage, chat, "report.md", b"# Report\n")

    finishing = asyncio.create_task(finish_upload())
    assert await ensure(storage, chat) == 1
    await finishing
    assert (chat.cwd / "report.md").read_bytes() == b"# Report\n"


async def test_an_upload_that_never_ends_is_not_waited_for_long(
    storage: ArtifactStorage, chat: Chat, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(workspace, "PENDING_WAIT_SECONDS", 0.3)
    await add_artifact(storage, chat, "report.md", b"# Report\n", status="pending", upload=False)
    await add_artifact(storage, chat, "data.csv", b"a,b\n")

    started = time.monotonic()
    with caplog.at_level(logging.WARNING, "aigc.workspace"):
        assert await ensure(storage, chat) == 1
    assert time.monotonic() - started < 2
    assert "report.md" in caplog.text and "still uploading" in caplog.text
    # The marker leaves it out, so the next turn fetches it once its upload is done.
    assert "report.md" not in workspace.read_marker(chat.cwd)
    await set_status(chat, "report.md", "stored")
    await storage.put_bytes(f"{chat.user_id}/{chat.session_id}/report.md", b"# Report\n")
    assert await ensure(storage, chat) == 1


async def test_an_object_that_is_not_the_recorded_version_is_not_restored(
    storage: ArtifactStorage, chat: Chat
) -> None:
    await add_artifact(storage, chat, "report.md", b"# Report\n")
    await storage.put_bytes(
        f"{chat.user_id}/{chat.session_id}/report.md", b"a newer upload, not recorded yet"
    )

    assert await ensure(storage, chat) == 0
    assert not (chat.cwd / "report.md").exists()
    assert [p.name for p in chat.cwd.iterdir()] == []  # no temporary file left behind


# --- a real turn, its folder lost between two turns (as on a worker that never saw the session)
def turn_runner(app: FastAPI) -> Any:
    """What runs this process's turns and uploads their files (it holds the storage they go to)."""
    turns = app.state.turns
    return getattr(turns, "executor", turns)


@pytest.fixture(params=["local", "minio"])
def turn_storage(request: pytest.FixtureRequest, app: FastAPI) -> Iterator[ArtifactStorage]:
    """The running app's storage, or the app switched to the S3 backend for one test."""
    runner = turn_runner(app)
    if request.param == "local":
        yield runner.storage
        return
    local = app.state.storage
    storage = make_minio(request.getfixturevalue("s3_endpoint"))
    app.state.storage = runner.storage = storage
    yield storage
    app.state.storage = runner.storage = local


async def test_a_follow_up_on_a_machine_without_the_folder_reads_the_earlier_file(
    client: httpx.AsyncClient,
    app: FastAPI,
    model: MockModelServer,
    turn_storage: ArtifactStorage,
    settings: Settings,
) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    await send(client, user, session_id, "Please write a report about object storage")
    for _ in range(100):  # the upload runs in the background
        async with session_scope() as db:
            artifacts = await repository.artifacts_of(db, uuid.UUID(session_id))
        if artifacts and artifacts[0].upload_status == "stored":
            break
        await asyncio.sleep(0.05)
    assert [(a.path, a.upload_status) for a in artifacts] == [("report.md", "stored")]

    # Another machine: no session folder and no warm agent.
    cwd = session_dir(settings, user.user.id, uuid.UUID(session_id))
    shutil.rmtree(cwd)
    await app.state.turns.release(uuid.UUID(session_id))
    restored = await ensure_workspace(turn_storage, cwd, user.user.id, uuid.UUID(session_id))
    assert restored == 1

    await send(client, user, session_id, "Please read report.md")
    reply = (await detail(client, user, session_id))["messages"][-1]
    assert reply["status"] == "ok"
    assert "# Report" in reply["content"], reply["content"]
