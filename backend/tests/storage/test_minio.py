"""MinIO/S3 specifics, against the moto server: bucket creation, metadata, readable failures."""

from __future__ import annotations

import hashlib
import io
import re
import time

import pytest
from minio import Minio
from minio.error import S3Error

from aigc.storage import MinioStorage, StorageError
from tests.storage.helpers import free_port, make_minio


def raw_client(endpoint: str) -> Minio:
    return Minio(endpoint, access_key="test-access", secret_key="test-secret", secure=False)


async def test_bucket_is_created_on_first_use(s3_endpoint: str) -> None:
    storage = make_minio(s3_endpoint)
    assert not raw_client(s3_endpoint).bucket_exists(storage.bucket)

    await storage.put_bytes("u1/s1/a.txt", b"a")

    assert raw_client(s3_endpoint).bucket_exists(storage.bucket)


async def test_check_creates_a_missing_bucket(s3_endpoint: str) -> None:
    storage = make_minio(s3_endpoint)

    await storage.check()

    assert raw_client(s3_endpoint).bucket_exists(storage.bucket)


async def test_content_type_and_sha256_are_stored_as_object_metadata(s3_endpoint: str) -> None:
    writer = make_minio(s3_endpoint)
    await writer.put_bytes("u1/s1/page.html", b"<h1>hi</h1>", "text/html; charset=utf-8")

    info = raw_client(s3_endpoint).stat_object(writer.bucket, "u1/s1/page.html")
    fresh = await make_minio(s3_endpoint, writer.bucket).stat("u1/s1/page.html")

    assert info.metadata["x-amz-meta-sha256"] == hashlib.sha256(b"<h1>hi</h1>").hexdigest()
    assert info.content_type == "text/html; charset=utf-8"
    assert fresh is not None and fresh.sha256 == info.metadata["x-amz-meta-sha256"]


async def test_objects_uploaded_by_other_tools_still_get_a_checksum(s3_endpoint: str) -> None:
    storage = make_minio(s3_endpoint)
    await storage.check()
    raw_client(s3_endpoint).put_object(storage.bucket, "u1/s1/foreign.bin", io.BytesIO(b"foreign"), 7)

    stat = await storage.stat("u1/s1/foreign.bin")

    assert stat is not None and stat.sha256 == hashlib.sha256(b"foreign").hexdigest()


async def test_endpoint_given_as_url_is_accepted(s3_endpoint: str) -> None:
    storage = MinioStorage(f"http://{s3_endpoint}/", "k", "s", "aigc-url-endpoint")

    await storage.check()

    assert storage.endpoint == s3_endpoint


async def test_check_against_a_closed_port_explains_the_problem() -> None:
    endpoint = f"127.0.0.1:{free_port()}"
    storage = MinioStorage(endpoint, "k", "s", "aigc-artifacts", connect_timeout=1, retries=0)

    started = time.monotonic()
    expected = f"Cannot reach the object store at {endpoint} (Connection refused)"
    with pytest.raises(StorageError, match=re.escape(expected)):
        await storage.check()
    with pytest.raises(StorageError, match="Cannot reach"):
        await storage.put_bytes("u1/s1/a.txt", b"a")
    assert time.monotonic() - started < 5


def test_invalid_bucket_name_is_a_configuration_error() -> None:
    with pytest.raises(StorageError, match="MINIO_BUCKET='Not_A_Bucket'"):
        MinioStorage("127.0.0.1:9000", "k", "s", "Not_A_Bucket")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("InvalidAccessKeyId", "check MINIO_ACCESS_KEY and MINIO_SECRET_KEY"),
        ("SignatureDoesNotMatch", "check MINIO_ACCESS_KEY and MINIO_SECRET_KEY"),
        ("AccessDenied", "denied access to bucket 'aigc-artifacts'"),
        ("NoSuchBucket", "has no bucket 'aigc-artifacts'"),
    ],
)
def test_server_refusals_become_readable_messages(code: str, expected: str) -> None:
    # moto accepts any credentials, so the refusals a real MinIO sends are built by hand here.
    storage = MinioStorage("127.0.0.1:9000", "k", "s", "aigc-artifacts")
    refusal = S3Error(None, code, "refused", "/aigc-artifacts", "req", "host")  # type: ignore[arg-type]

    error = storage._explain(refusal, "store", "u1/s1/a.txt")

    assert isinstance(error, StorageError) and expected in str(error)
