"""Who may call what, generated from the route table: a route added tomorrow is checked without a new test.

- Without a token, every route except the public ones answers 401.
- A signed-in non-administrator gets 403 from every administrator route.
- User B gets 404 from every route that names one of user A's objects, and A's objects are unchanged after.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.factories import skill_md
from tests.security.conftest import API, World
from tests.security.routes import RouteInfo, api_routes, route_table

# Reachable without signing in, on purpose. Everything else must depend on get_current_user.
PUBLIC = {
    f"GET {API}/health",
    f"GET {API}/platform/info",
    f"POST {API}/auth/register",
    f"POST {API}/auth/login",
    f"POST {API}/auth/refresh",
    f"POST {API}/auth/logout",
    # Outside the API proper: the OpenAPI document and its viewer, Prometheus metrics (guarded by
    # METRICS_TOKEN when set; tests/platform/test_metrics.py) and the web app's own files.
    f"GET {API}/openapi.json",
    f"GET {API}/docs",
    "GET /docs/oauth2-redirect",
    "GET /metrics",
    "GET /{path:path}",
}
# Present only when a web build is configured (the test app has none).
OPTIONAL = {"GET /{path:path}"}

# Administrator routes, written out so that a change shows up in review; checked against the dependency tree.
ADMIN = {
    f"GET {API}/users",
    f"POST {API}/users",
    f"GET {API}/users/{{user_id}}",
    f"PATCH {API}/users/{{user_id}}",
    f"DELETE {API}/users/{{user_id}}",
    f"GET {API}/users/{{user_id}}/preferences",
    f"POST {API}/scenarios/{{scenario_id}}/default",
    f"POST {API}/platform/cron/batch-learn-preferences",
    f"GET {API}/platform/cron/jobs",
    f"POST {API}/platform/cron/jobs/{{name}}/run",
    f"POST {API}/platform/reload-config",
    f"POST {API}/mcp-servers",
    f"GET {API}/mcp-servers/{{mcp_server_id}}",
    f"PATCH {API}/mcp-servers/{{mcp_server_id}}",
    f"DELETE {API}/mcp-servers/{{mcp_server_id}}",
    f"POST {API}/mcp-servers/{{mcp_server_id}}/test",
}

# A valid body for each route that takes one and names an object: an invalid body would be refused (422)
# before ownership is looked at, which would prove nothing.
BODIES: dict[str, object] = {
    "rename_session": {"title": "taken over"},
    "send_message": {"content": "let me in"},
    "put_feedback": {"rating": "down", "comment": "not yours"},
    "update_scenario": {"name": "taken over", "is_public": True},
    "update_my_config": {"extra_instructions": "leak everything"},
    "replace_skill": {"files": [{"path": "SKILL.md", "content": skill_md("a-private-skill", body="Owned.")}]},
    "update_skill": {"is_public": True},
}


# Routes that take files (multipart/form-data) rather than JSON, with a valid upload each.
FILES: dict[str, list[tuple[str, tuple[str, bytes, str]]]] = {
    "upload_files": [("files", ("planted.txt", b"let me in", "text/plain"))],
}


def _send(
    client: httpx.AsyncClient, route: RouteInfo, url: str, headers: dict[str, str], body: object = None
):
    if route.name in FILES:
        return client.request(route.method, url, headers=headers, files=FILES[route.name])
    kwargs = {"json": body if body is not None else {}} if route.has_body else {}
    return client.request(route.method, url, headers=headers, **kwargs)


def test_public_routes_are_exactly_the_listed_ones(app: FastAPI) -> None:
    open_routes = {r.key for r in route_table(app) if not r.needs_user}
    assert PUBLIC - OPTIONAL <= open_routes <= PUBLIC, (
        f"not signed-in routes that are not listed: {sorted(open_routes - PUBLIC)}; "
        f"listed but now protected: {sorted(PUBLIC - open_routes)}"
    )


def test_admin_routes_are_exactly_the_listed_ones(app: FastAPI) -> None:
    admin_routes = {r.key for r in route_table(app) if r.needs_admin}
    assert admin_routes == ADMIN, (
        f"admin routes not listed: {sorted(admin_routes - ADMIN)}; listed but open to users: {sorted(ADMIN - admin_routes)}"
    )


async def test_every_protected_route_refuses_anonymous_callers(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    wrong = []
    protected = [r for r in api_routes(app) if r.key not in PUBLIC]
    assert len(protected) > 40
    for route in protected:
        for headers in ({}, {"Authorization": "Bearer not-a-token"}):
            response = await _send(client, route, route.url(), headers)
            if response.status_code != 401 or response.json().get("code") != "not_authenticated":
                wrong.append(
                    f"{route.key} {headers or 'no token'}: {response.status_code} {response.text[:120]}"
                )
            elif response.headers.get("www-authenticate") != "Bearer":
                wrong.append(f"{route.key}: 401 without WWW-Authenticate: Bearer")
    assert not wrong, "\n".join(wrong)


async def test_every_admin_route_refuses_a_user_and_admits_an_admin(
    app: FastAPI, client: httpx.AsyncClient, world: World
) -> None:
    wrong = []
    for route in [r for r in api_routes(app) if r.needs_admin]:
        response = await _send(client, route, route.url(world.ids), world.b.headers)
        if response.status_code != 403 or response.json().get("code") != "forbidden":
            wrong.append(f"{route.key}: {response.status_code} {response.text[:120]}")
        if route.method == "GET":  # the positive control: the same URL works for an administrator
            allowed = await client.get(route.url(world.ids), headers=world.admin.headers)
            if allowed.status_code != 200:
                wrong.append(f"{route.key} as admin: {allowed.status_code} {allowed.text[:120]}")
    # An administrator-only parameter on a user route.
    response = await client.get(
        f"{API}/sessions/stats", params={"user_id": str(world.a.user.id)}, headers=world.b.headers
    )
    if response.status_code != 403:
        wrong.append(f"GET /sessions/stats?user_id=<A> as B: {response.status_code}")
    assert not wrong, "\n".join(wrong)


async def _snapshot(client: httpx.AsyncClient, world: World) -> dict[str, object]:
    """What A sees of A's objects (to prove B's attempts changed nothing)."""
    a = world.a.headers
    detail = (await client.get(f"{API}/sessions/{world.session_id}", headers=a)).json()
    return {
        "session": {k: detail[k] for k in ("title", "message_count")},
        "messages": [(m["id"], m["content"], m["feedback"]) for m in detail["messages"]],
        "artifacts": [(x["id"], x["sha256"]) for x in detail["artifacts"]],
        "uploads": [(x["id"], x["sha256"], x["message_id"]) for x in detail["uploads"]],
        "scenario": (await client.get(f"{API}/scenarios/{world.scenario_id}", headers=a)).json(),
        "skill": (await client.get(f"{API}/skills/{world.skill_id}", headers=a)).json(),
        "download": (await client.get(f"{API}/artifacts/{world.artifact_id}/download", headers=a)).content,
        "config": (await client.get(f"{API}/scenarios/{world.scenario_id}", headers=a))
        .json()
        .get("user_config"),
    }


async def test_user_b_cannot_reach_any_object_of_user_a(
    app: FastAPI, client: httpx.AsyncClient, world: World
) -> None:
    targeted = [r for r in api_routes(app) if r.params and not r.needs_admin]
    unknown = {p for r in targeted for p in r.params} - set(world.ids)
    assert not unknown, f"routes take ids the fixture has no object for: {unknown}"
    missing_bodies = [r.key for r in targeted if r.has_body and r.name not in BODIES | FILES]
    assert not missing_bodies, f"give these routes a valid body in BODIES: {missing_bodies}"

    # The positive control: A reaches every one of these reads.
    for route in [r for r in targeted if r.method == "GET"]:
        response = await client.get(route.url(world.ids), headers=world.a.headers)
        assert response.status_code == 200, f"{route.key} as A: {response.status_code} {response.text[:200]}"

    before = await _snapshot(client, world)
    wrong = []
    # Reads first, then writes, deletes last: a delete that wrongly worked must not hide the others.
    order = {"GET": 0, "POST": 1, "PUT": 1, "PATCH": 1, "DELETE": 2}
    for route in sorted(targeted, key=lambda r: order[r.method]):
        response = await _send(client, route, route.url(world.ids), world.b.headers, BODIES.get(route.name))
        if response.status_code != 404 or response.json().get("code") != "not_found":
            wrong.append(f"{route.key}: {response.status_code} {response.text[:160]}")
    assert not wrong, "user B reached user A's objects:\n" + "\n".join(wrong)
    assert await _snapshot(client, world) == before
    # B's own lists do not show A's objects either.
    b = world.b.headers
    assert (await client.get(f"{API}/sessions", headers=b)).json()["count"] == 0
    assert world.skill_id not in str((await client.get(f"{API}/skills", headers=b)).json())
    assert world.scenario_id not in str((await client.get(f"{API}/scenarios", headers=b)).json())
