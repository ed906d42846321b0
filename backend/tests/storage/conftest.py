"""Fixtures: every behavioural test runs against local disk and against a real S3 server (moto)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.server import ThreadedMotoServer

from aigc.storage import ArtifactStorage, LocalStorage
from tests.storage.helpers import free_port, make_minio


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A moto S3 server on a free local port, shared by the whole session."""
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop()


@pytest.fixture(params=["local", "minio"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStorage:
    """Each backend in turn."""
    if request.param == "local":
        return LocalStorage(tmp_path / "artifacts")
    return make_minio(request.getfixturevalue("s3_endpoint"))
