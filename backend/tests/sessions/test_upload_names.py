"""Upload names made safe and unique, and content types read from the bytes."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from aigc.agent.attachments import AttachedFile
from aigc.sessions.turns import TurnPlan
from aigc.sessions.upload_names import MAX_NAME_BYTES, safe_name, sniff_type, unique_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\notes.txt", "notes.txt"),
        ("..", "file"),
        ("", "file"),
        (None, "file"),
        ("...hidden", "hidden"),
        ("trailing. . .", "trailing"),
        ("tab\tand\nnewline.txt", "tab and newline.txt"),
        ("nul\x00byte.txt", "nulbyte.txt"),
        ("evil\u202egpj.exe", "evilgpj.exe"),  # right-to-left override removed
        ("cafe\u0301.txt", "caf\u00e9.txt"),
        ("表格 数据.csv", "表格 数据.csv"),
    ],
)
def test_safe_name(raw: str | None, expected: str) -> None:
    assert safe_name(raw) == expected


def test_a_long_name_keeps_its_extension_and_whole_characters() -> None:
    name = safe_name("数" * 200 + ".xlsx")
    assert name.endswith(".xlsx") and len(name.encode()) <= MAX_NAME_BYTES
    name.encode().decode("utf-8")  # no character cut in half


def test_unique_name() -> None:
    assert unique_name("a.csv", set()) == "a.csv"
    assert unique_name("a.csv", {"a.csv"}) == "a (2).csv"
    assert unique_name("a.csv", {"a.csv", "a (2).csv"}) == "a (3).csv"
    assert unique_name("README", {"README"}) == "README (2)"
    assert unique_name("archive.tar.gz", {"archive.tar.gz"}) == "archive.tar (2).gz"
    long = "x" * MAX_NAME_BYTES
    assert len(unique_name(long, {long}).encode()) <= MAX_NAME_BYTES + 8


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"\x89PNG\r\n\x1a\n....", "x.jpg", "image/png"),
        (b"\xff\xd8\xff\xe0", "x.png", "image/jpeg"),
        (b"GIF89a", "x", "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "x", "image/webp"),
        (b"%PDF-1.7\n", "x.txt", "application/pdf"),
        (b"PK\x03\x04rest", "book.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (b"PK\x03\x04rest", "bundle.bin", "application/zip"),
        (b"\x1f\x8b\x08", "a.tgz", "application/gzip"),
        (b"a,b\n1,2\n", "t.csv", "text/csv"),
        (b"# Title\n", "t.md", "text/markdown"),
        (b"<html><script>alert(1)</script>", "page.html", "text/plain"),
        ("中文文本".encode(), "notes", "text/plain"),
        (b"\x00\x01\x02", "x.txt", "application/octet-stream"),
        (b"MZ\x90\x00", "setup.png", "application/octet-stream"),
    ],
)
def test_sniff_type(head: bytes, name: str, expected: str) -> None:
    assert sniff_type(head, name) == expected


def test_a_plan_with_attachments_crosses_the_queue_as_json() -> None:
    plan = TurnPlan(
        session_id=uuid.uuid4(),
        user_id=uuid.uuid4(),
        scenario_id=None,
        prompt="look",
        cwd=Path("/srv/work/u/s"),
        model="m",
        system_prompt="",
        tools=["Read"],
        skills=[],
        max_turns=3,
        max_budget_usd=None,
        resume=None,
        attachment_ids=[str(uuid.uuid4())],
        attachments=[AttachedFile(path="uploads/a.png", mime_type="image/png", size=10)],
    )
    payload = json.loads(json.dumps(plan.to_payload()))
    assert TurnPlan.from_payload(payload) == plan
    assert payload["attachments"] == [{"path": "uploads/a.png", "mime_type": "image/png", "size": 10}]
