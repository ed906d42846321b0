"""Plain async helpers that create what a test needs, through the real services and API."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import httpx

from aigc.core.config import get_settings
from aigc.core.db import session_scope
from aigc.users import service as user_service
from aigc.users.models import Role, User
from aigc.users.schemas import UserCreate

DEFAULT_PASSWORD = "correct-horse-battery"
_counter = itertools.count(1)


async def create_user(
    *, username: str | None = None, password: str = DEFAULT_PASSWORD, role: Role = Role.user,
    email: str | None = None, is_active: bool = True,
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
    client: httpx.AsyncClient, owner: SignedIn, name: str, *, is_public: bool = False, extra: dict[str, str] | None = None
) -> dict:
    files = [{"path": "SKILL.md", "content": skill_md(name)}]
    files += [{"path": path, "content": content} for path, content in (extra or {}).items()]
    response = await client.post("/api/v1/skills", json={"files": files, "is_public": is_public}, headers=owner.headers)
    assert response.status_code == 201, response.text
    return response.json()


async def create_scenario_via_api(client: httpx.AsyncClient, owner: SignedIn, **fields: object) -> dict:
    payload = {"name": "Test scenario", "system_prompt": "Be brief.", **fields}
    response = await client.post("/api/v1/scenarios", json=payload, headers=owner.headers)
    assert response.status_code == 201, response.text
    return response.json()
