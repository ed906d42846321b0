"""Key and prefix validation shared by every backend."""

from __future__ import annotations

import pytest

from aigc.storage import StorageKeyError, validate_key, validate_prefix

BAD_KEYS = [
    "",
    "../x",
    "/abs",
    "a/../../b",
    "a/./b",
    "a//b",
    "a/b/",
    "a\\b",
    "a/b\x00c",
    "a/b\nc",
    "a/" + "x" * 256,
    "a/" * 520 + "b",  # longer than 1024 bytes
    "a/\udcff",  # a lone surrogate, which is what undecodable bytes become via os.fsdecode
]


@pytest.mark.parametrize("key", BAD_KEYS)
def test_unsafe_keys_are_rejected(key: str) -> None:
    with pytest.raises(StorageKeyError):
        validate_key(key)


@pytest.mark.parametrize("key", ["u1/s1/report.md", "u1/s1/out/图表 1.png", "u1/s1/.hidden", "u1/s1/a..b"])
def test_ordinary_keys_are_accepted_unchanged(key: str) -> None:
    assert validate_key(key) == key


def test_key_error_message_names_the_problem() -> None:
    with pytest.raises(StorageKeyError, match="backslash"):
        validate_key("a\\b")


@pytest.mark.parametrize(("prefix", "expected"), [("u1/s1", "u1/s1/"), ("u1/s1/", "u1/s1/"), ("", "")])
def test_prefixes_are_normalised_to_whole_segments(prefix: str, expected: str) -> None:
    assert validate_prefix(prefix, allow_empty=True) == expected


@pytest.mark.parametrize("prefix", ["", "/", "../u1", "u1//"])
def test_unsafe_or_empty_prefixes_are_rejected(prefix: str) -> None:
    with pytest.raises(StorageKeyError):
        validate_prefix(prefix)
