"""Helpers shared by the storage tests."""

from __future__ import annotations

import socket
import uuid

from aigc.storage import MinioStorage


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def make_minio(endpoint: str, bucket: str | None = None) -> MinioStorage:
    """A MinioStorage on its own fresh bucket, so tests never see each other's objects."""
    bucket = bucket or f"aigc-test-{uuid.uuid4().hex[:12]}"
    return MinioStorage(endpoint, "test-access", "test-secret", bucket)
