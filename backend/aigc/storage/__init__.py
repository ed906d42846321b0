"""Artifact storage: one async interface with local-disk and MinIO/S3 backends."""

from aigc.storage.base import ArtifactStorage, ObjectEntry, StoredObject
from aigc.storage.errors import StorageError, StorageKeyError, StorageNotFoundError
from aigc.storage.factory import create_storage, get_storage
from aigc.storage.keys import validate_key, validate_prefix
from aigc.storage.local import LocalStorage
from aigc.storage.s3 import MinioStorage
from aigc.storage.streams import ByteStream
from aigc.storage.uploads import UploadItem, UploadResult, upload_in_background

__all__ = [
    "ArtifactStorage",
    "ByteStream",
    "LocalStorage",
    "MinioStorage",
    "ObjectEntry",
    "StorageError",
    "StorageKeyError",
    "StorageNotFoundError",
    "StoredObject",
    "UploadItem",
    "UploadResult",
    "create_storage",
    "get_storage",
    "upload_in_background",
    "validate_key",
    "validate_prefix",
]
