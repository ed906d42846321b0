"""The stored profile is read and written as typed items; a malformed one fails clearly and can be reset."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import JSON, Uuid, column, table, update

from aigc.core.db import session_scope
from aigc.preferences.models import ProfileItem, UserPreferencesCache
from tests.factories import signed_in_user


async def test_items_round_trip_as_typed_models(client: httpx.AsyncClient) -> None:
    user = await signed_in_user(client)
    evidence = uuid.uuid4()
    async with session_scope() as db:
        db.add(
            UserPreferencesCache(
                user_id=user.user.id,
                profile=[ProfileItem(id="concise", instruction="Keep answers short", evidence=[evidence])],
            )
        )
    async with session_scope(write=False) as db:
        cache = await db.get(UserPreferencesCache, user.user.id)
    assert cache is not None
    (item,) = cache.profile
    assert (
        isinstance(item, ProfileItem) and item.evidence == [evidence] and item.enabled and not item.dismissed
    )
    listed = (await client.get("/api/v1/me/preferences", headers=user.headers)).json()
    assert [i["instruction"] for i in listed["items"]] == ["Keep answers short"]


async def test_a_malformed_stored_profile_fails_clearly_and_reset_clears_it(
    client: httpx.AsyncClient,
) -> None:
    user = await signed_in_user(client)
    async with session_scope() as db:
        db.add(UserPreferencesCache(user_id=user.user.id))
    # Written around the model, as a foreign tool or an old bug might: an item without an instruction.
    raw = table("user_preferences_cache", column("user_id", Uuid()), column("profile", JSON()))
    async with session_scope() as db:
        await db.exec(
            update(raw).where(raw.c.user_id == user.user.id).values(profile=[{"id": "x", "enabled": "often"}])
        )
    response = await client.get("/api/v1/me/preferences", headers=user.headers)
    assert response.status_code == 500
    body = response.json()
    assert body["code"] == "malformed_preference_profile"
    assert "malformed" in body["message"] and "DELETE /api/v1/me/preferences" in body["message"]

    assert (await client.delete("/api/v1/me/preferences", headers=user.headers)).status_code == 204
    after = await client.get("/api/v1/me/preferences", headers=user.headers)
    assert after.status_code == 200 and after.json()["items"] == []
