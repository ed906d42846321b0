"""Backend selection from the settings."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from aigc.core.config import Settings
from aigc.storage import LocalStorage, MinioStorage, create_storage


def test_local_storage_under_the_data_dir_by_default(tmp_path: Path) -> None:
    storage = create_storage(Settings(data_dir=tmp_path, minio_endpoint=None))

    assert isinstance(storage, LocalStorage)
    assert storage.backend_name == "local"
    assert storage.root == tmp_path / "artifacts"


def test_minio_when_endpoint_and_keys_are_set(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path,
        minio_endpoint="127.0.0.1:9000",
        minio_access_key=SecretStr("access"),
        minio_secret_key=SecretStr("secret"),
        minio_bucket="my-artifacts",
    )

    storage = create_storage(settings)

    assert isinstance(storage, MinioStorage)
    assert storage.backend_name == "minio"
    assert (storage.endpoint, storage.bucket) == ("127.0.0.1:9000", "my-artifacts")


def test_an_endpoint_without_keys_falls_back_to_local(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, minio_endpoint="127.0.0.1:9000", minio_access_key=None)

    storage = create_storage(settings)

    assert isinstance(storage, LocalStorage)
