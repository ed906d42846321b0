"""Skills: create and edit SKILL.md folders, zip uploads, validation, visibility and ownership."""

from __future__ import annotations

import base64
import io
import stat
import zipfile

import httpx
import pytest

from aigc.users.models import Role
from tests.factories import create_skill_via_api, signed_in_user, skill_md

API = "/api/v1/skills"


def make_zip(files: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files.items():
            archive.writestr(path, data)
        for path, target in (links or {}).items():
            info = zipfile.ZipInfo(path)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, target)
    return buffer.getvalue()


class TestCreateSkill:
    async def test_anonymous(self, client: httpx.AsyncClient) -> None:
        assert (await client.post(API, json={"files": []})).status_code == 401

    async def test_create_with_text_and_binary_files(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        response = await client.post(
            API,
            json={
                "files": [
                    {"path": "SKILL.md", "content": skill_md("pdf-helper", "Fills PDF forms")},
                    {"path": "scripts/fill.py", "content": "print('hi')\n"},
                    {
                        "path": "assets/logo.png",
                        "content": base64.b64encode(b"\x89PNG\x00\x01").decode(),
                        "encoding": "base64",
                    },
                ]
            },
            headers=user.headers,
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["name"] == "pdf-helper" and body["description"] == "Fills PDF forms"
        assert body["is_public"] is False and body["file_count"] == 3
        files = {f["path"]: f for f in body["files"]}
        assert files["scripts/fill.py"]["content"] == "print('hi')\n"
        assert files["assets/logo.png"]["is_text"] is False and files["assets/logo.png"]["content"] is None

    @pytest.mark.parametrize(
        ("files", "message"),
        [
            ([{"path": "README.md", "content": "x"}], "SKILL.md"),
            ([{"path": "SKILL.md", "content": "no front matter"}], "front matter"),
            ([{"path": "SKILL.md", "content": "---\nname: Bad Name\ndescription: d\n---\n"}], "name"),
            ([{"path": "SKILL.md", "content": "---\nname: ok\n---\n"}], "description"),
            ([{"path": "SKILL.md", "content": "---\nname: [unclosed\n---\n"}], "YAML"),
            ([{"path": "SKILL.md", "content": skill_md("ok")}, {"path": "../evil", "content": "x"}], "'..'"),
            (
                [{"path": "SKILL.md", "content": skill_md("ok")}, {"path": "/etc/x", "content": "x"}],
                "relative",
            ),
            (
                [{"path": "SKILL.md", "content": skill_md("ok")}, {"path": "a\\b", "content": "x"}],
                "not allowed",
            ),
            (
                [
                    {"path": "SKILL.md", "content": skill_md("ok")},
                    {"path": "big.txt", "content": "x" * (1024 * 1024 + 1)},
                ],
                "larger",
            ),
            (
                [
                    {"path": "SKILL.md", "content": skill_md("ok")},
                    {"path": "b.bin", "content": "%%%", "encoding": "base64"},
                ],
                "base64",
            ),
        ],
    )
    async def test_invalid_skills_are_refused_with_a_reason(
        self, client: httpx.AsyncClient, files: list, message: str
    ) -> None:
        user = await signed_in_user(client)
        response = await client.post(API, json={"files": files}, headers=user.headers)
        assert response.status_code == 422, response.text
        assert message in response.json()["message"]

    async def test_names_are_unique(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        await create_skill_via_api(client, user, "unique-one")
        response = await client.post(
            API,
            json={"files": [{"path": "SKILL.md", "content": skill_md("unique-one")}]},
            headers=user.headers,
        )
        assert response.status_code == 409

    async def test_only_admins_publish(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        response = await client.post(
            API,
            json={"files": [{"path": "SKILL.md", "content": skill_md("pub")}], "is_public": True},
            headers=user.headers,
        )
        assert response.status_code == 403


class TestUploadSkill:
    async def test_zip_with_wrapping_folder(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        archive = make_zip(
            {
                "csv-tools/SKILL.md": skill_md("csv-tools").encode(),
                "csv-tools/ref/guide.md": b"# guide",
                "__MACOSX/x": b"junk",
            }
        )
        response = await client.post(
            f"{API}/upload",
            files={"file": ("csv-tools.zip", archive, "application/zip")},
            headers=user.headers,
        )
        assert response.status_code == 201, response.text
        assert sorted(f["path"] for f in response.json()["files"]) == ["SKILL.md", "ref/guide.md"]

    async def test_links_and_traversal_in_zips_are_refused(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        for archive, message in (
            (make_zip({"SKILL.md": skill_md("lnk").encode()}, links={"passwd": "/etc/passwd"}), "link"),
            (make_zip({"SKILL.md": skill_md("trav").encode(), "../../escape.txt": b"x"}), "'..'"),
            (b"not a zip", "not a valid zip"),
        ):
            response = await client.post(
                f"{API}/upload", files={"file": ("s.zip", archive, "application/zip")}, headers=user.headers
            )
            assert response.status_code == 422 and message in response.json()["message"]

    async def test_zip_bomb_is_refused_before_inflating(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("SKILL.md", skill_md("bomb"))
            archive.writestr("zeros.bin", b"\0" * (6 * 1024 * 1024))
        response = await client.post(
            f"{API}/upload",
            files={"file": ("b.zip", buffer.getvalue(), "application/zip")},
            headers=user.headers,
        )
        assert response.status_code == 422 and "larger" in response.json()["message"]


class TestSkillAccess:
    async def test_private_skills_are_404_for_others(self, client: httpx.AsyncClient) -> None:
        alice = await signed_in_user(client)
        bob = await signed_in_user(client)
        skill = await create_skill_via_api(client, alice, "alice-skill")
        for method, suffix in (("GET", ""), ("GET", "/download"), ("PATCH", ""), ("DELETE", "")):
            response = await client.request(
                method,
                f"{API}/{skill['id']}{suffix}",
                json={} if method == "PATCH" else None,
                headers=bob.headers,
            )
            assert response.status_code == 404, (method, suffix)
        assert skill["id"] not in [
            s["id"] for s in (await client.get(API, headers=bob.headers)).json()["items"]
        ]

    async def test_public_skills_are_visible_but_not_editable_by_users(
        self, client: httpx.AsyncClient
    ) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        user = await signed_in_user(client)
        skill = await create_skill_via_api(client, admin, "shared-skill", is_public=True)
        assert (await client.get(f"{API}/{skill['id']}", headers=user.headers)).status_code == 200
        response = await client.patch(
            f"{API}/{skill['id']}", json={"is_enabled": False}, headers=user.headers
        )
        assert response.status_code == 403

    async def test_admin_editing_a_public_skill_keeps_it_public(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        skill = await create_skill_via_api(client, admin, "stays-public", is_public=True)
        response = await client.put(
            f"{API}/{skill['id']}",
            json={"files": [{"path": "SKILL.md", "content": skill_md("stays-public", "Edited")}]},
            headers=admin.headers,
        )
        assert response.status_code == 200 and response.json()["is_public"] is True

    async def test_edit_in_place_and_download(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        skill = await create_skill_via_api(client, user, "editable", extra={"notes.md": "old"})
        response = await client.put(
            f"{API}/{skill['id']}",
            json={"files": [{"path": "SKILL.md", "content": skill_md("editable-v2", "New description")}]},
            headers=user.headers,
        )
        assert response.status_code == 200
        body = response.json()
        assert (
            body["name"] == "editable-v2"
            and body["description"] == "New description"
            and body["file_count"] == 1
        )
        download = await client.get(f"{API}/{skill['id']}/download", headers=user.headers)
        assert download.headers["content-type"] == "application/zip"
        assert download.headers["x-content-type-options"] == "nosniff"
        assert zipfile.ZipFile(io.BytesIO(download.content)).namelist() == ["editable-v2/SKILL.md"]
        assert (await client.delete(f"{API}/{skill['id']}", headers=user.headers)).status_code == 204
