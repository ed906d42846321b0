"""Hostile content comes back verbatim as data, never as markup the server made, and files never render.

The browser side (that the web app shows these strings inert in Chromium) is the Playwright specs' job;
this is the server's half: JSON everywhere (so nothing is sniffed as HTML), the exact text that went in,
and artifact downloads that are attachments with `nosniff` and a sandboxing CSP, whatever the file's
name or content.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import httpx

from aigc.mock_model.testing import MockModelServer
from tests.factories import create_scenario_via_api, create_skill_via_api, signed_in_user, skill_md
from tests.security.conftest import API, run_turn
from tests.sse import of, text_of

PAYLOADS = [
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "\"><iframe srcdoc='<script>parent.alert(1)</script>'>",
    "[click](javascript:alert(1)) ![x](x onerror=alert(1))",
    "{{constructor.constructor('alert(1)')()}}",
]
PAYLOAD = " | ".join(PAYLOADS)
HTML_FILE = "<html><body><script>fetch('/api/v1/auth/me')</script></body></html>"
# Names the agent can give a file: markup, a quote that would end the header's filename, non-ASCII.
FILE_NAMES = [
    "<img src=x onerror=alert(1)>.html",
    'report"; filename="evil.exe.html',
    "ünïcødé 报告 😀.md",
]


def _json(response: httpx.Response) -> object:
    assert response.headers["content-type"].startswith("application/json"), response.headers["content-type"]
    return response.json()


async def test_messages_come_back_verbatim(client: httpx.AsyncClient, model: MockModelServer) -> None:
    user = await signed_in_user(client)
    model.set_script([{"user": "render", "steps": [f"Here you go: {PAYLOAD}"]}])
    session_id = (await client.post(f"{API}/sessions", json={}, headers=user.headers)).json()["id"]
    events = await run_turn(client, user, session_id, f"render {PAYLOAD}")
    assert text_of(events) == f"Here you go: {PAYLOAD}"
    detail = _json(await client.get(f"{API}/sessions/{session_id}", headers=user.headers))
    question, answer = detail["messages"]
    assert question["content"] == f"render {PAYLOAD}" and answer["content"] == f"Here you go: {PAYLOAD}"
    assert detail["title"] == f"render {PAYLOAD}"[:59] + "…"
    listed = _json(await client.get(f"{API}/sessions", params={"search": "<script>"}, headers=user.headers))
    assert listed["count"] == 1


async def test_scenarios_and_skills_come_back_verbatim(client: httpx.AsyncClient) -> None:
    user = await signed_in_user(client)
    scenario = await create_scenario_via_api(
        client,
        user,
        name="<b onmouseover=alert(1)>Hover</b>",
        description=PAYLOAD,
        example_prompts=PAYLOADS[:3],
        tags=["<script>"],
    )
    read = _json(await client.get(f"{API}/scenarios/{scenario['id']}", headers=user.headers))
    assert read["name"] == "<b onmouseover=alert(1)>Hover</b>" and read["description"] == PAYLOAD
    assert read["example_prompts"] == PAYLOADS[:3] and read["tags"] == ["<script>"]

    body = f"{PAYLOAD}\n\n<details open ontoggle=alert(1)>"
    extra = {"scripts/<x onerror=alert(1)>.md": HTML_FILE}
    response = await client.post(
        f"{API}/skills",
        json={
            "files": [
                {"path": "SKILL.md", "content": skill_md("xss-skill", description=PAYLOADS[1], body=body)}
            ]
            + [{"path": p, "content": c} for p, c in extra.items()],
        },
        headers=user.headers,
    )
    if response.status_code == 422:  # a refused file name is as good as an inert one
        skill = await create_skill_via_api(client, user, "xss-skill-plain")
        extra = {}
    else:
        assert response.status_code == 201, response.text
        skill = response.json()
    read = _json(await client.get(f"{API}/skills/{skill['id']}", headers=user.headers))
    files = {f["path"]: f["content"] for f in read["files"]}
    for path, content in extra.items():
        assert files[path] == content
    if not extra:
        return
    assert read["description"] == PAYLOADS[1] and body in files["SKILL.md"]
    download = await client.get(f"{API}/skills/{skill['id']}/download", headers=user.headers)
    assert download.headers["content-type"] == "application/zip"
    assert download.headers["content-disposition"] == 'attachment; filename="xss-skill.zip"'
    assert download.headers["x-content-type-options"] == "nosniff"


async def test_artifacts_download_as_inert_attachments(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    writes = [
        {"name": "Write", "input": {"file_path": f"{{{{cwd}}}}/{name}", "content": HTML_FILE}}
        for name in FILE_NAMES
    ]
    model.set_script([{"user": "make files", "steps": [{"text": "Writing.", "tool_uses": writes}, "Done."]}])
    session_id = (await client.post(f"{API}/sessions", json={}, headers=user.headers)).json()["id"]
    events = await run_turn(client, user, session_id, "make files")
    assert events[-1].data["status"] == "ok", events
    artifacts = {a["name"]: a for a in of(events, "artifact")}
    assert sorted(artifacts) == sorted(FILE_NAMES)

    for name, artifact in artifacts.items():
        download = await client.get(f"{API}/artifacts/{artifact['id']}/download", headers=user.headers)
        assert download.status_code == 200 and download.text == HTML_FILE
        headers = download.headers
        assert headers["x-content-type-options"] == "nosniff"
        assert (
            "sandbox" in headers["content-security-policy"]
            and "default-src 'none'" in headers["content-security-policy"]
        )
        disposition = headers["content-disposition"]
        assert disposition.startswith("attachment;")
        # One quoted ASCII filename with no quote, CR or LF inside it, then the exact name percent-encoded.
        plain = re.fullmatch(
            r'attachment; filename="([^"\r\n]*)"; filename\*=UTF-8\'\'([A-Za-z0-9%._~!$&()*+,;=:@-]+)',
            disposition,
        )
        assert plain, disposition
        assert unquote(plain.group(2)) == name
        preview = await client.get(f"{API}/artifacts/{artifact['id']}/preview", headers=user.headers)
        body = _json(preview)
        assert body["text"] == HTML_FILE and body["artifact"]["name"] == name
        if name.endswith(".html"):
            assert body["kind"] == "html" and headers["content-type"].startswith("text/html")


async def test_unknown_paths_answer_json_not_html(client: httpx.AsyncClient) -> None:
    user = await signed_in_user(client)
    for path in (f"{API}/<script>alert(1)</script>", f"{API}/sessions/<svg onload=alert(1)>"):
        response = await client.get(path, headers=user.headers)
        body = _json(response)
        assert (
            response.status_code in (404, 422)
            and "<script>" not in body["message"]
            and "<svg" not in body["message"]
        )


async def test_a_file_name_with_a_line_break_is_not_a_server_error(
    client: httpx.AsyncClient, model: MockModelServer
) -> None:
    user = await signed_in_user(client)
    name = "two\nlines\r\nSet-Cookie: x=1.html"
    write = {"name": "Write", "input": {"file_path": f"{{{{cwd}}}}/{name}", "content": HTML_FILE}}
    model.set_script([{"user": "make files", "steps": [{"tool_use": write}, "Done."]}])
    session_id = (await client.post(f"{API}/sessions", json={}, headers=user.headers)).json()["id"]
    events = await run_turn(client, user, session_id, "make files")
    assert events[-1].data["status"] == "ok"
    # Either the file is not offered as an artifact, or it downloads as an inert attachment.
    for artifact in of(events, "artifact"):
        for suffix in ("download", "preview"):
            response = await client.get(f"{API}/artifacts/{artifact['id']}/{suffix}", headers=user.headers)
            assert response.status_code in (200, 404), f"{suffix}: {response.status_code}"
            assert "\n" not in response.headers.get("content-disposition", "")
