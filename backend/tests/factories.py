"""Plain async helpers that create what a test needs, through the real services and API."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import datetime

import httpx

from aigc.core.config import get_settings
from aigc.core.db import session_scope
from aigc.users import service as user_service
from aigc.users.models import Role, User
from aigc.users.schemas import UserCreate

DEFAULT_PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


async def create_user(
    *,
    username: str | None = None,
    password: str = DEFAULT_PASSWORD,
    role: Role = Role.user,
    email: str | None = None,
    is_active: bool = True,
) -> User:
    username = username or f"user{next(_counter)}"
    async with session_scope() as session:
        user = await user_service.create_user(
            session, get_settings(), UserCreate(username=username, password=password, role=role, email=email)
        )
        user.is_active = is_active
        session.add(user)
    return user


@dataclass
class SignedIn:
    user: User
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}


async def sign_in(client: httpx.AsyncClient, user: User, password: str = DEFAULT_PASSWORD) -> SignedIn:
    response = await client.post("/api/v1/auth/login", data={"username": user.username, "password": password})
    assert response.status_code == 200, response.text
    body = response.json()
    client.cookies.clear()  # tests pass tokens explicitly unless they test the cookie
    return SignedIn(user=user, access_token=body["access_token"], refresh_token=body["refresh_token"])


async def signed_in_user(client: httpx.AsyncClient, role: Role = Role.user, **kwargs: object) -> SignedIn:
    user = await create_user(role=role, **kwargs)  # type: ignore[arg-type]
    return await sign_in(client, user)


def skill_md(name: str, description: str = "Does a useful thing", body: str = "Follow these steps.") -> str:
    return f"---\nname: {name}\ndescription: {description}\n---\n\n# {name}\n\n{body}\n"


async def create_skill_via_api(
    client: httpx.AsyncClient,
    owner: SignedIn,
    name: str,
    *,
    is_public: bool = False,
    extra: dict[str, str] | None = None,
) -> dict:
    files = [{"path": "SKILL.md", "content": skill_md(name)}]
    files += [{"path": path, "content": content} for path, content in (extra or {}).items()]
    response = await client.post(
        "/api/v1/skills", json={"files": files, "is_public": is_public}, headers=owner.headers
    )
    assert response.status_code == 201, response.text
    return response.json()


async def create_scenario_via_api(client: httpx.AsyncClient, owner: SignedIn, **fields: object) -> dict:
    payload = {"name": "Test scenario", "system_prompt": "Be brief.", **fields}
    response = await client.post("/api/v1/scenarios", json=payload, headers=owner.headers)
    assert response.status_code == 201, response.text
    return response.json()


@dataclass
class RecordedTurn:
    session_id: uuid.UUID
    user_message_id: uuid.UUID
    assistant_message_id: uuid.UUID


async def record_turn(
    user: User,
    *,
    scenario_id: uuid.UUID | None = None,
    session_id: uuid.UUID | None = None,
    answer: str = "An answer.",
    model: str = "claude-sonnet-4-5",
    input_tokens: int = 10,
    output_tokens: int = 20,
    cost_usd: float = 0.01,
    when: datetime | None = None,
    status: str = "ok",
) -> RecordedTurn:
    """A finished turn written as the turn manager writes it (rows and aggregates), without running an agent."""
    from datetime import UTC, datetime

    from aigc.sessions.models import ChatSession, Message
    from aigc.stats import service as stats_service

    when = when or datetime.now(UTC)
    async with session_scope() as db:
        if session_id is None:
            chat = ChatSession(
                user_id=user.id, scenario_id=scenario_id, scenario_name="", created_at=when, updated_at=when
            )
            db.add(chat)
            await db.flush()
            await stats_service.record_session_created(db, user.id, scenario_id, when)
            session_id = chat.id
        common = {
            "session_id": session_id,
            "user_id": user.id,
            "scenario_id": scenario_id,
            "created_at": when,
        }
        asked = Message(role="user", content="A question", **common)
        answered = Message(
            role="assistant",
            content=answer,
            status=status,
            model=model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_usd=cost_usd,
            completed_at=when,
            **common,
        )
        db.add(asked)
        db.add(answered)
        await db.flush()
        await stats_service.record_turn(
            db,
            user_id=user.id,
            scenario_id=scenario_id,
            model=model,
            input_tokens=input_tokens,
            output_tokens=output_tokens,
            cost_usd=cost_usd,
            failed=status == "error",
            when=when,
        )
        return RecordedTurn(session_id, asked.id, answered.id)


async def builtin_scenario_id(slug: str) -> uuid.UUID:
    from sqlmodel import select

    from aigc.scenarios.models import Scenario

    async with session_scope(write=False) as db:
        return (await db.exec(select(Scenario.id).where(Scenario.slug == slug))).one()


async def rate(
    client: httpx.AsyncClient, signed: SignedIn, message_id: object, rating: str = "up", **fields: object
) -> dict:
    response = await client.put(
        f"/api/v1/messages/{message_id}/feedback", json={"rating": rating, **fields}, headers=signed.headers
    )
    assert response.status_code == 200, response.text
    return response.json()
