"""Pending artifacts are served from the session folder, and never from outside it, whatever the agent planted."""

from __future__ import annotations

import uuid
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from aigc.core.errors import NotFoundError
from aigc.sessions.downloads import download_response
from aigc.sessions.models import Artifact
from aigc.storage.local import LocalStorage


def _pending(path: str) -> Artifact:
    return Artifact(
        session_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        path=path,
        name=Path(path).name,
        sha256="0" * 64,
        storage_key=f"not-uploaded-yet/{uuid.uuid4()}",
        upload_status="pending",
    )


async def _body(storage: LocalStorage, settings: Any, artifact: Artifact) -> bytes:
    response = await download_response(storage, settings, artifact)
    return b"".join([chunk async for chunk in response.body_iterator])


@pytest.fixture
def layout(tmp_path: Path) -> tuple[LocalStorage, Any, Path]:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "report.md").write_text("a secret beside the work folder")
    # Only `work_dir` of the settings is read on this path.
    return LocalStorage(tmp_path / "store"), SimpleNamespace(work_dir=tmp_path / "work"), tmp_path


async def test_a_pending_file_is_served_from_its_session_folder(
    layout: tuple[LocalStorage, Any, Path],
) -> None:
    storage, settings, _ = layout
    artifact = _pending("out/report.md")
    folder = settings.work_dir / str(artifact.user_id) / str(artifact.session_id)
    (folder / "out").mkdir(parents=True)
    (folder / "out" / "report.md").write_text("# Report")
    assert await _body(storage, settings, artifact) == b"# Report"


async def test_a_folder_swapped_for_a_link_serves_nothing(layout: tuple[LocalStorage, Any, Path]) -> None:
    storage, settings, root = layout
    artifact = _pending("out/report.md")
    folder = settings.work_dir / str(artifact.user_id) / str(artifact.session_id)
    folder.mkdir(parents=True)
    (folder / "out").symlink_to(root / "outside")  # a later shell command replaced the folder
    with pytest.raises(NotFoundError):
        await download_response(storage, settings, artifact)


async def test_a_file_swapped_for_a_link_serves_nothing(layout: tuple[LocalStorage, Any, Path]) -> None:
    storage, settings, root = layout
    artifact = _pending("report.md")
    folder = settings.work_dir / str(artifact.user_id) / str(artifact.session_id)
    folder.mkdir(parents=True)
    (folder / "report.md").symlink_to(root / "outside" / "report.md")
    with pytest.raises(NotFoundError):
        await download_response(storage, settings, artifact)
