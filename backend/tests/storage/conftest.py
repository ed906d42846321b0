"""Fixtures: every behavioural test runs against local disk and against a real S3 server (moto)."""

from __future__ import annotations

from pathlib import Path

import pytest

from aigc.storage import ArtifactStorage, LocalStorage
from tests.storage.helpers import make_minio


@pytest.fixture(params=["local", "minio"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> ArtifactStorage:
    """Each backend in turn."""
    if request.param == "local":
        return LocalStorage(tmp_path / "artifacts")
    return make_minio(request.getfixturevalue("s3_endpoint"))
