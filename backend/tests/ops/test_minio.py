"""With MinIO configured, the bucket's objects travel in the archive and come back with their content types."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from aigc.core.config import Settings
from aigc.ops import RestoreRefusedError, create_backup, restore_backup
from aigc.storage import create_storage
from tests.ops.helpers import minio_settings, read_manifest


def _bucket() -> str:
    return f"aigc-ops-{uuid.uuid4().hex[:10]}"


async def test_objects_are_backed_up_and_restored(
    settings: Settings, fresh_settings: Settings, s3_endpoint: str, tmp_path: Path
) -> None:
    source = minio_settings(settings, s3_endpoint, _bucket())
    store = create_storage(source)
    objects = {
        "u1/s1/report.pdf": (b"%PDF-1.7 fake", "application/pdf"),
        "u2/s9/a b.txt": (b"hello", "text/plain"),
    }
    for key, (data, content_type) in objects.items():
        await store.put_bytes(key, data, content_type)

    archive = await create_backup(source, out_dir=tmp_path)
    assert read_manifest(archive)["storage_backend"] == "minio"

    target = minio_settings(fresh_settings, s3_endpoint, _bucket())
    report = await restore_backup(target, archive)

    assert report.objects_restored == 2
    restored = create_storage(target)
    for key, (data, content_type) in objects.items():
        info = await restored.stat(key)
        assert info is not None and info.content_type == content_type
        assert await restored.read_bytes(key, 1000) == data


async def test_objects_need_minio_on_the_target(
    settings: Settings, fresh_settings: Settings, s3_endpoint: str, tmp_path: Path
) -> None:
    source = minio_settings(settings, s3_endpoint, _bucket())
    await create_storage(source).put_bytes("u1/s1/x.txt", b"x", "text/plain")
    archive = await create_backup(source, out_dir=tmp_path)
    with pytest.raises(RestoreRefusedError, match="MinIO is not configured"):
        await restore_backup(fresh_settings, archive)
