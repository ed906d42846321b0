"""The built web app is served from the API server; API paths never fall through to it."""

from __future__ import annotations

from pathlib import Path

import httpx

from aigc.core.config import load_settings
from aigc.main import create_app


async def test_spa_routes_assets_and_api_404(tmp_path: Path) -> None:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><div id=root></div>")
    (tmp_path / "assets" / "app-1234.js").write_text("console.log(1)")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    app = create_app(load_settings(frontend_dist_dir=tmp_path), configure_logs=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        page = await client.get("/chat/some-session")
        assert page.status_code == 200 and "root" in page.text and page.headers["cache-control"] == "no-cache"
        assert (await client.get("/assets/app-1234.js")).text == "console.log(1)"
        assert (await client.get("/favicon.svg")).text == "<svg/>"
        assert "root" in (await client.get("/../../etc/passwd")).text
        api = await client.get("/api/v1/nothing-here")
        assert api.status_code == 404 and api.json()["code"] == "not_found"


async def test_without_a_build_only_the_api_is_served(tmp_path: Path) -> None:
    app = create_app(load_settings(frontend_dist_dir=tmp_path / "missing"), configure_logs=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
        assert (await client.get("/")).status_code == 404
