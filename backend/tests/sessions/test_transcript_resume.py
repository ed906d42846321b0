"""Transcripts in the database: a follow-up resumes with the earlier context after the CLI's files are gone."""

from __future__ import annotations

import json
import uuid

import httpx
from fastapi import FastAPI

from aigc.core.config import Settings
from aigc.core.db import session_scope
from aigc.mock_model.testing import MockModelServer
from aigc.sessions.models import ChatSession
from aigc.sessions.transcripts import transcript_store
from tests.factories import signed_in_user
from tests.sessions.test_turns import API, new_session, send
from tests.sse import of


async def sdk_session_of(session_id: str) -> str:
    async with session_scope(write=False) as db:
        chat = await db.get(ChatSession, uuid.UUID(session_id))
        assert chat is not None and chat.sdk_session_id
        return chat.sdk_session_id


async def test_follow_up_resumes_from_the_database_without_local_transcripts(
    client: httpx.AsyncClient, app: FastAPI, model: MockModelServer, settings: Settings
) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    first = await send(client, user, session_id, "The code word is marmalade.")
    assert first[-1].data["status"] == "ok"
    sdk_session = await sdk_session_of(session_id)

    # What any other worker would have: the database, no transcript files, no warm agent.
    await app.state.turns.release(uuid.UUID(session_id))
    projects = settings.data_dir / "agent" / "claude-config" / "projects"
    local = list(projects.glob(f"*/{sdk_session}.jsonl"))
    assert local, "the CLI keeps its own transcript too"
    for path in local:
        path.unlink()
    listed = await transcript_store().list_sessions(local[0].parent.name)
    assert [s["session_id"] for s in listed] == [sdk_session]

    model.clear_requests()
    second = await send(client, user, session_id, "What was the code word?")
    assert second[-1].data["status"] == "ok"
    assert of(second, "started")[0]["resumed"] is True
    assert "marmalade" in json.dumps(model.requests()[0]), "the earlier exchange must reach the model"
    assert await sdk_session_of(session_id) == sdk_session, "resuming keeps the agent's session id"
    entries = await transcript_store().load({"project_key": local[0].parent.name, "session_id": sdk_session})
    assert entries is not None
    texts = json.dumps(entries)
    assert "marmalade" in texts and "What was the code word?" in texts
    uuids = [e["uuid"] for e in entries if "uuid" in e]
    assert len(uuids) == len(set(uuids))

    # Deleting the session deletes its transcripts.
    assert (await client.delete(f"{API}/{session_id}", headers=user.headers)).status_code == 204
    assert await transcript_store().list_sessions(local[0].parent.name) == []
    assert (
        await transcript_store().load({"project_key": local[0].parent.name, "session_id": sdk_session})
        is None
    )
