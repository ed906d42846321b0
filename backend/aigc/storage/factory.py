"""Choose the storage backend from the settings."""

from __future__ import annotations

from functools import lru_cache

from aigc.core.config import Settings, get_settings
from aigc.storage.base import ArtifactStorage
from aigc.storage.local import LocalStorage
from aigc.storage.s3 import MinioStorage

ARTIFACTS_DIR_NAME = "artifacts"


def create_storage(settings: Settings) -> ArtifactStorage:
    """MinIO/S3 when an endpoint and both keys are configured, otherwise `<data_dir>/artifacts` on disk."""
    endpoint = settings.minio_endpoint
    access_key, secret_key = settings.minio_access_key, settings.minio_secret_key
    # The same test as `settings.minio_enabled`, spelled out so the optional types narrow.
    if endpoint and access_key and secret_key:
        return MinioStorage(
            endpoint=endpoint,
            access_key=access_key.get_secret_value(),
            secret_key=secret_key.get_secret_value(),
            bucket=settings.minio_bucket,
            secure=settings.minio_secure,
            region=settings.minio_region,
        )
    return LocalStorage(settings.data_dir / ARTIFACTS_DIR_NAME)


@lru_cache
def get_storage() -> ArtifactStorage:
    """The process-wide storage built from `get_settings()`; `get_storage.cache_clear()` forgets it."""
    return create_storage(get_settings())
