"""Helpers for the backup tests: archive surgery and reading a restored platform."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from aigc.core.config import Settings

# Returns the new content of a member, or None to drop it.
Transform = Callable[[str, bytes], bytes | None]


def minio_settings(base: Settings, endpoint: str, bucket: str) -> Settings:
    """`base` with MinIO (a moto S3 server here) as the artifact store."""
    return base.model_copy(
        update={
            "minio_endpoint": endpoint,
            "minio_access_key": SecretStr("test-access"),
            "minio_secret_key": SecretStr("test-secret"),
            "minio_bucket": bucket,
        }
    )


def read_manifest(archive: Path) -> dict[str, object]:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile("manifest.json")
        assert member is not None
        return json.loads(member.read())


def rewrite_archive(source: Path, target: Path, transform: Transform) -> Path:
    """Copy an archive member by member through `transform`."""
    with tarfile.open(source, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            if not member.isfile():
                dst.addfile(member)
                continue
            handle = src.extractfile(member)
            assert handle is not None
            data = transform(member.name, handle.read())
            if data is None:
                continue
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return target


def with_manifest(change: Callable[[dict[str, object]], None]) -> Transform:
    """A transform that edits manifest.json and leaves every other member alone."""

    def transform(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        change(manifest)
        return json.dumps(manifest).encode()

    return transform


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def fetch_column(settings: Settings, query: str) -> list[object]:
    """Run one query against a platform's database with a throw-away engine."""
    engine = create_async_engine(settings.database_url)
    try:
        async with engine.connect() as connection:
            return list((await connection.execute(text(query))).scalars())
    finally:
        await engine.dispose()


def tree_contents(root: Path) -> dict[str, bytes]:
    """Every regular file below `root`, by relative path."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*") if path.is_file()
    }
