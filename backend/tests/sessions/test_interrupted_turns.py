"""Turns left running by a dead server are marked failed at start-up, but never a live server's turns."""

from __future__ import annotations

from pathlib import Path

import httpx
from asgi_lifespan import LifespanManager

from aigc.core.config import load_settings
from aigc.core.db import session_scope
from aigc.main import create_app
from aigc.sessions.models import Message, TurnStatus
from tests.factories import record_turn, signed_in_user


async def _status(message_id) -> str:
    async with session_scope(write=False) as db:
        return (await db.get(Message, message_id)).status


async def test_a_second_server_leaves_live_turns_alone_the_first_cleans_up(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    user = await signed_in_user(client)
    turn = await record_turn(user.user, status=TurnStatus.running.value)

    # The test app of this session holds the run lock, as a live server would.
    async with LifespanManager(create_app(load_settings(), configure_logs=False)):
        pass
    assert await _status(turn.assistant_message_id) == "running"

    # Alone on its data folder, a server is the first one up: whatever still says running is dead.
    async with LifespanManager(create_app(load_settings(data_dir=tmp_path), configure_logs=False)):
        pass
    assert await _status(turn.assistant_message_id) == "error"
