"""Artifact storage in MinIO or any S3-compatible server, via the blocking `minio` client in threads."""

from __future__ import annotations

import asyncio
import hashlib
import io
import re
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import BinaryIO, TypeVar

import urllib3
from minio import Minio
from minio.datatypes import Object
from minio.deleteobjects import DeleteObject
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError
from minio.helpers import check_bucket_name

from aigc.storage.base import ArtifactStorage, ObjectEntry, StoredObject
from aigc.storage.errors import StorageError, StorageNotFoundError
from aigc.storage.keys import validate_key, validate_prefix
from aigc.storage.streams import (
    DEFAULT_CHUNK_SIZE,
    ByteStream,
    iterate_in_thread,
    open_source_file,
    resolve_content_type,
    sha256_of_file,
)

SHA256_METADATA = "sha256"
_SHA256_HEADER = f"x-amz-meta-{SHA256_METADATA}"
_MISSING_OBJECT_CODES = {"NoSuchKey", "NoSuchObject", "ResourceNotFound"}
_BAD_CREDENTIAL_CODES = {"InvalidAccessKeyId", "SignatureDoesNotMatch", "InvalidToken", "ExpiredToken"}
T = TypeVar("T")


class MinioStorage(ArtifactStorage):
    """Objects live in one bucket, created on first use; sha256 travels as object metadata."""

    backend_name = "minio"

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        bucket: str,
        *,
        secure: bool = False,
        region: str | None = None,
        connect_timeout: float = 5.0,
        read_timeout: float = 120.0,
        retries: int = 2,
    ) -> None:
        # People paste URLs from the MinIO console; the scheme says whether TLS is meant.
        for scheme, is_secure in (("https://", True), ("http://", False)):
            if endpoint.startswith(scheme):
                endpoint, secure = endpoint.removeprefix(scheme).rstrip("/"), is_secure
        self.endpoint = endpoint
        self.bucket = bucket
        # minio's default pool waits 5 minutes to connect and retries 5 times; health checks need an answer.
        http_client = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
            maxsize=16,
            retries=urllib3.Retry(total=retries, backoff_factor=0.2, status_forcelist=(500, 502, 503, 504)),
        )
        try:
            check_bucket_name(bucket, strict=True)
            self._client = Minio(
                endpoint,
                access_key=access_key,
                secret_key=secret_key,
                secure=secure,
                region=region,
                http_client=http_client,
            )
        except ValueError as exc:
            raise StorageError(
                f"Invalid object store settings (MINIO_ENDPOINT={endpoint!r}, MINIO_BUCKET={bucket!r}): {exc}"
            ) from None
        self._bucket_lock = threading.Lock()
        self._bucket_ready = False

    # --- public API
    async def put_file(self, key: str, source_path: Path, content_type: str | None = None) -> StoredObject:
        """Hash the file, then upload it from the same open descriptor."""
        validate_key(key)
        resolved_type = resolve_content_type(key, content_type)
        return await self._call("store", key, self._put_file, key, source_path, resolved_type)

    async def put_bytes(self, key: str, data: bytes, content_type: str | None = None) -> StoredObject:
        """Upload `data` in one request (multipart above the client's part size)."""
        validate_key(key)
        resolved_type = resolve_content_type(key, content_type)

        def upload() -> StoredObject:
            digest = hashlib.sha256(data).hexdigest()
            return self._upload(key, io.BytesIO(data), len(data), resolved_type, digest)

        return await self._call("store", key, upload)

    async def put_fileobj(self, key: str, source: BinaryIO, content_type: str | None = None) -> StoredObject:
        """Hash the open file, then upload it from its start (streamed, multipart above the part size)."""
        validate_key(key)
        resolved_type = resolve_content_type(key, content_type)

        def upload() -> StoredObject:
            source.seek(0)
            digest, size = sha256_of_file(source)
            source.seek(0)
            return self._upload(key, source, size, resolved_type, digest)

        return await self._call("store", key, upload)

    async def open_stream(self, key: str, chunk_size: int = DEFAULT_CHUNK_SIZE) -> ByteStream:
        """Start the download now (so a missing key fails before any byte is sent) and stream the body."""
        validate_key(key)
        response = await self._call("read", key, self._client.get_object, self.bucket, key)

        def close() -> None:
            response.close()
            response.release_conn()

        # Raw bytes exactly as stored, even if a proxy added a Content-Encoding.
        return ByteStream(lambda size: response.read(size, decode_content=False), close, chunk_size)

    async def stat(self, key: str) -> StoredObject | None:
        """Describe the object from its headers."""
        validate_key(key)
        try:
            info: Object = await self._call("inspect", key, self._client.stat_object, self.bucket, key)
        except StorageNotFoundError:
            return None
        digest = (info.metadata or {}).get(_SHA256_HEADER)
        if not digest:
            # Uploaded by another tool without our metadata: hash the body so callers always get a checksum.
            digest = await self._hash_remote(key)
        return StoredObject(
            key=key,
            size=info.size or 0,
            sha256=digest,
            content_type=info.content_type or resolve_content_type(key, None),
        )

    async def delete(self, key: str) -> None:
        """Delete the object; S3 treats a missing key as already deleted."""
        validate_key(key)
        await self._call("delete", key, self._client.remove_object, self.bucket, key)

    async def delete_prefix(self, prefix: str) -> int:
        """Delete every object under the prefix with batched multi-object deletes."""
        normalised = validate_prefix(prefix)
        return await self._call("delete", normalised, self._delete_prefix, normalised)

    async def iter_prefix(self, prefix: str) -> AsyncIterator[ObjectEntry]:
        """List the objects under the prefix, a page of results per worker-thread hop."""
        normalised = validate_prefix(prefix, allow_empty=True)
        await self._ensure_bucket()
        listing = iterate_in_thread(
            lambda: self._client.list_objects(self.bucket, prefix=normalised or None, recursive=True)
        )
        try:
            async for item in listing:
                if not item.is_dir and item.object_name is not None:
                    yield ObjectEntry(key=item.object_name, size=item.size or 0)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise self._explain(exc, "list", normalised) from exc

    async def check(self) -> None:
        """Talk to the server: reachable, credentials accepted, bucket present (created if missing)."""
        try:
            await asyncio.to_thread(self._prepare_bucket, True)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise self._explain(exc, "check", self.bucket) from exc

    # --- helpers
    async def _call(self, action: str, key: str, func: Callable[..., T], *args: object) -> T:
        await self._ensure_bucket()
        try:
            return await asyncio.to_thread(func, *args)
        except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
            raise self._explain(exc, action, key) from exc

    async def _ensure_bucket(self) -> None:
        if not self._bucket_ready:
            try:
                await asyncio.to_thread(self._prepare_bucket, False)
            except (MinioException, urllib3.exceptions.HTTPError, OSError) as exc:
                raise self._explain(exc, "prepare bucket", self.bucket) from exc

    def _prepare_bucket(self, force: bool) -> None:
        # A thread lock, not an asyncio one: the cached storage outlives any single event loop.
        with self._bucket_lock:
            if self._bucket_ready and not force:
                return
            if not self._client.bucket_exists(self.bucket):
                try:
                    self._client.make_bucket(self.bucket)
                except S3Error as exc:
                    if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                        raise
            self._bucket_ready = True

    def _put_file(self, key: str, source_path: Path, content_type: str) -> StoredObject:
        with open_source_file(source_path) as source:
            try:
                digest, size = sha256_of_file(source)
                source.seek(0)
            except OSError as exc:
                # Caught here so a local read error is not reported as an unreachable server.
                raise StorageError(f"Cannot read {source_path}: {exc.strerror or exc}") from exc
            return self._upload(key, source, size, content_type, digest)

    def _upload(self, key: str, data: BinaryIO, size: int, content_type: str, digest: str) -> StoredObject:
        self._client.put_object(
            self.bucket, key, data, size, content_type=content_type, metadata={SHA256_METADATA: digest}
        )
        return StoredObject(key=key, size=size, sha256=digest, content_type=content_type)

    def _delete_prefix(self, prefix: str) -> int:
        names = [
            item.object_name
            for item in self._client.list_objects(self.bucket, prefix=prefix, recursive=True)
            if item.object_name is not None and not item.is_dir
        ]
        # remove_objects is lazy: nothing is deleted until its error iterator is consumed.
        errors = list(self._client.remove_objects(self.bucket, (DeleteObject(name) for name in names)))
        if errors:
            first = errors[0]
            raise StorageError(
                f"{len(errors)} of {len(names)} artifacts under {prefix!r} could not be deleted from "
                f"{self.endpoint}; first failure: {first.name}: {first.code} {first.message}"
            )
        return len(names)

    async def _hash_remote(self, key: str) -> str:
        digest = hashlib.sha256()
        async with await self.open_stream(key) as stream:
            async for chunk in stream:
                digest.update(chunk)
        return digest.hexdigest()

    def _explain(self, exc: BaseException, action: str, key: str) -> Exception:
        """Turn a client exception into an error a person can act on."""
        store = f"The object store at {self.endpoint}"
        if isinstance(exc, S3Error):
            code = exc.code or ""
            if code in _MISSING_OBJECT_CODES:
                return StorageNotFoundError(key)
            if code == "NoSuchBucket":
                self._bucket_ready = False  # deleted behind our back: recreate it on the next request
                return StorageError(f"{store} has no bucket {self.bucket!r}")
            if code in _BAD_CREDENTIAL_CODES:
                return StorageError(
                    f"{store} rejected the credentials ({code}); check MINIO_ACCESS_KEY and MINIO_SECRET_KEY"
                )
            if code == "AccessDenied":
                return StorageError(
                    f"{store} denied access to bucket {self.bucket!r} while trying to {action} {key!r}; "
                    "check the credentials and the bucket policy"
                )
            return StorageError(f"{store} could not {action} {key!r}: {code}: {exc.message}")
        if isinstance(exc, (InvalidResponseError, ServerError)):
            return StorageError(
                f"{store} sent an unexpected response while trying to {action} {key!r}; "
                f"is MINIO_ENDPOINT the S3 API port (not the web console)? ({_first_line(exc)})"
            )
        return StorageError(
            f"Cannot reach the object store at {self.endpoint} ({_network_reason(exc)}); "
            "check that MinIO is running and that MINIO_ENDPOINT and MINIO_SECURE are right"
        )


def _network_reason(exc: BaseException) -> str:
    """The root cause of a urllib3 failure, without object reprs."""
    reason: BaseException = exc
    if isinstance(exc, urllib3.exceptions.MaxRetryError) and exc.reason is not None:
        reason = exc.reason
    # NewConnectionError reads "<HTTPConnection object at 0x..>: Failed ...: [Errno 111] Connection refused".
    match = re.search(r"\[Errno -?\d+\] ([^)\]]+)", str(reason))
    return match.group(1).strip() if match else _first_line(reason)


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]
