"""`updated_at` kept by the model: any UPDATE of a row moves it, with no assignment in the services."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from aigc.core.db import session_scope
from aigc.scheduler import lease
from aigc.scheduler.models import JobLease
from aigc.users.models import Role, User
from tests.factories import signed_in_user


async def _user(user_id: object) -> User:
    async with session_scope(write=False) as db:
        user = await db.get(User, user_id)
    assert user is not None
    return user


async def test_an_orm_update_bumps_updated_at(client: httpx.AsyncClient) -> None:
    admin = await signed_in_user(client, role=Role.admin)
    user = await signed_in_user(client)
    before = (await _user(user.user.id)).updated_at
    await asyncio.sleep(0.01)
    response = await client.patch(
        f"/api/v1/users/{user.user.id}", json={"display_name": "Renamed"}, headers=admin.headers
    )
    assert response.status_code == 200, response.text
    after = await _user(user.user.id)
    assert after.display_name == "Renamed" and after.updated_at > before


async def test_a_core_update_statement_bumps_updated_at() -> None:
    assert await lease.try_acquire("touch-test", "me", scheduled=False, interval=timedelta(hours=1))
    async with session_scope(write=False) as db:
        taken = await db.get(JobLease, "touch-test")
    assert taken is not None
    await asyncio.sleep(0.01)
    await lease.release("touch-test", "me")
    async with session_scope(write=False) as db:
        released = await db.get(JobLease, "touch-test")
    assert released is not None and released.running_until is None
    assert released.updated_at > taken.updated_at
