"""Artifacts through the MinIO/S3 backend: stored in the bucket, downloaded from it, deleted with the session."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from aigc.storage import ArtifactStorage
from tests.factories import signed_in_user
from tests.sessions.test_turns import new_session, send
from tests.sse import of
from tests.storage.helpers import make_minio


@pytest.fixture
def minio_storage(app: FastAPI, s3_endpoint: str) -> Iterator[ArtifactStorage]:
    """The running app switched to the S3 backend for one test."""
    local = app.state.storage
    storage = make_minio(s3_endpoint)
    app.state.storage = app.state.turns.executor.storage = storage
    yield storage
    app.state.storage = app.state.turns.executor.storage = local


async def test_artifact_round_trip_through_s3(
    client: httpx.AsyncClient, model, minio_storage: ArtifactStorage, settings
) -> None:
    user = await signed_in_user(client)
    session_id = await new_session(client, user)
    (artifact,) = of(
        await send(client, user, session_id, "Please write a report about object storage"), "artifact"
    )
    key = f"{user.user.id}/{session_id}/report.md"
    for _ in range(50):  # the upload runs in the background
        stored = await minio_storage.stat(key)
        if stored is not None:
            break
        await asyncio.sleep(0.05)
    assert (
        stored is not None and stored.sha256 == artifact["sha256"] and stored.content_type == "text/markdown"
    )

    # Gone from the session folder, the download must come from the bucket.
    (settings.work_dir / str(user.user.id) / session_id / "report.md").unlink()
    download = await client.get(f"/api/v1/artifacts/{artifact['id']}/download", headers=user.headers)
    assert download.status_code == 200 and download.text.startswith("# Report")

    assert (await client.delete(f"/api/v1/sessions/{session_id}", headers=user.headers)).status_code == 204
    assert await minio_storage.list_prefix(f"{user.user.id}/{session_id}/") == []
