"""The user message an agent gets for attached files: the note in the text, images as content blocks."""

from __future__ import annotations

import base64
from pathlib import Path

from aigc.agent.attachments import MAX_IMAGE_BLOCK_BYTES, AttachedFile, attachment_note, user_content

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


def test_text_only_attachments_stay_a_string(tmp_path: Path) -> None:
    files = [AttachedFile("uploads/a.csv", "text/csv", 2048)]
    content = user_content("Sum it", tmp_path, files)
    assert isinstance(content, str)
    assert content.startswith("Sum it\n\n[The user attached 1 file(s)")
    assert "- uploads/a.csv (text/csv, 2.0 KiB)" in content


def test_images_follow_the_text_as_blocks(tmp_path: Path) -> None:
    (tmp_path / "uploads").mkdir()
    (tmp_path / "uploads" / "s.png").write_bytes(PNG)
    files = [AttachedFile("uploads/s.png", "image/png", len(PNG))]
    content = user_content("", tmp_path, files)
    assert isinstance(content, list)
    text, image = content
    assert text["type"] == "text" and "also shown to you as an image" in text["text"]
    assert image == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": base64.b64encode(PNG).decode()},
    }


def test_an_image_behind_a_link_or_too_large_is_not_sent(tmp_path: Path) -> None:
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG)
    cwd = tmp_path / "session"
    (cwd / "uploads").mkdir(parents=True)
    (cwd / "uploads" / "link.png").symlink_to(outside)
    (tmp_path / "elsewhere").mkdir()
    (cwd / "linked-dir").symlink_to(tmp_path / "elsewhere")
    (tmp_path / "elsewhere" / "x.png").write_bytes(PNG)
    files = [
        AttachedFile("uploads/link.png", "image/png", len(PNG)),
        AttachedFile("linked-dir/x.png", "image/png", len(PNG)),
        AttachedFile("../outside.png", "image/png", len(PNG)),
    ]
    assert isinstance(user_content("look", cwd, files), str)
    big = AttachedFile("uploads/big.png", "image/png", MAX_IMAGE_BLOCK_BYTES + 1)
    assert "also shown" not in attachment_note([big])
