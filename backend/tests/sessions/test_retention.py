"""Retention: a dry run lists, archiving keeps a session readable with its files in storage, deletion removes it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI

from aigc.core.config import load_settings
from aigc.core.db import session_scope
from aigc.sessions import retention
from aigc.sessions.models import ChatSession
from tests.factories import signed_in_user
from tests.sessions.test_turns import new_session, send
from tests.sse import of


async def age(session_id: str, days: int) -> None:
    async with session_scope() as db:
        chat = await db.get(ChatSession, uuid.UUID(session_id))
        chat.updated_at = datetime.now(UTC) - timedelta(days=days)
        db.add(chat)


async def test_plan_archive_and_delete(client: httpx.AsyncClient, app: FastAPI, model, settings) -> None:
    user = await signed_in_user(client)
    old = await new_session(client, user)
    (artifact,) = of(await send(client, user, old, "Please write a report about retention"), "artifact")
    ancient = await new_session(client, user)
    fresh = await new_session(client, user)
    await age(old, 40)
    await age(ancient, 400)
    policy = load_settings(retention_archive_after_days=30, retention_delete_after_days=365)

    planned = {(str(a.session_id), a.action) for a in await retention.plan(policy)}
    assert planned == {(old, "archive"), (ancient, "delete")}
    assert fresh not in {sid for sid, _ in planned}
    assert await retention.plan(load_settings()) == []  # off by default

    result = await retention.apply(await retention.plan(policy), policy, app.state.storage, app.state.turns)
    assert result == {"archived": 1, "deleted": 1, "failed": 0}
    folder = settings.work_dir / str(user.user.id) / old
    assert not folder.exists()
    detail = (await client.get(f"/api/v1/sessions/{old}", headers=user.headers)).json()
    assert detail["archived_at"] is not None and len(detail["messages"]) == 2
    # Archiving is not activity: deletion still counts from the last real use.
    idle = datetime.now(UTC) - datetime.fromisoformat(detail["updated_at"])
    assert timedelta(days=39) < idle < timedelta(days=41)
    download = await client.get(f"/api/v1/artifacts/{artifact['id']}/download", headers=user.headers)
    assert download.status_code == 200 and download.text.startswith("# Report")
    refused = await client.post(
        f"/api/v1/sessions/{old}/messages", json={"content": "more"}, headers=user.headers
    )
    assert refused.status_code == 409 and refused.json()["code"] == "session_archived"
    assert (await client.get(f"/api/v1/sessions/{ancient}", headers=user.headers)).status_code == 404
    assert await retention.plan(policy) == []
