"""Serve the built web app (frontend/aigc-frontend/dist) from the API server, so one port serves both."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from aigc.core.errors import NotFoundError


def mount_spa(app: FastAPI, dist: Path) -> bool:
    """Serve hashed assets as files and every other non-API path as index.html (client-side routes)."""
    index = dist / "index.html"
    if not index.is_file():
        return False
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="spa-assets")
    root = dist.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    async def spa(path: str, request: Request) -> FileResponse:
        if path.startswith("api/") or path == "api":
            raise NotFoundError("No such endpoint or resource")
        candidate = (root / path).resolve()
        if path and candidate.is_file() and candidate.is_relative_to(root):
            return FileResponse(candidate)
        # index.html must not be cached, or a deploy would leave browsers on stale asset names.
        return FileResponse(index, headers={"Cache-Control": "no-cache"})

    return True
