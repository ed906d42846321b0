"""Validation of object keys (`<user_id>/<session_id>/<relative path>`) shared by every backend."""

from __future__ import annotations

from aigc.storage.errors import StorageKeyError

# S3 caps keys at 1024 bytes and most filesystems cap a name at 255; both backends enforce both limits
# so a key accepted by one is accepted by the other.
MAX_KEY_BYTES = 1024
MAX_SEGMENT_BYTES = 255


def validate_key(key: str) -> str:
    """Return `key` unchanged if it is a safe, normalised relative key; raise StorageKeyError otherwise."""
    if not isinstance(key, str) or not key:
        raise StorageKeyError("Storage key must be a non-empty string")
    try:
        encoded = key.encode("utf-8")
    except UnicodeEncodeError:
        raise StorageKeyError(f"Storage key {key!r} is not valid UTF-8") from None
    if len(encoded) > MAX_KEY_BYTES:
        raise StorageKeyError(f"Storage key is longer than {MAX_KEY_BYTES} bytes")
    if "\\" in key:
        raise StorageKeyError(f"Storage key {key!r} contains a backslash; use '/' as the separator")
    # Control characters (NUL above all) would truncate paths or split HTTP headers.
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in key):
        raise StorageKeyError(f"Storage key {key!r} contains a control character")
    if key.startswith("/"):
        raise StorageKeyError(f"Storage key {key!r} is absolute; keys are relative paths")
    for segment in key.split("/"):
        if segment in ("", ".", ".."):
            raise StorageKeyError(f"Storage key {key!r} is not normalised (empty, '.' or '..' segment)")
        if len(segment.encode("utf-8")) > MAX_SEGMENT_BYTES:
            raise StorageKeyError(
                f"Storage key {key!r} has a path segment longer than {MAX_SEGMENT_BYTES} bytes"
            )
    return key


def validate_prefix(prefix: str, *, allow_empty: bool = False) -> str:
    """Return the prefix as `a/b/` (whole segments only) or `""`; raise StorageKeyError if unsafe."""
    if prefix == "" and allow_empty:
        return ""
    # The trailing slash makes `u1/s1` match `u1/s1/x` but never `u1/s10/x`.
    return validate_key(prefix.removesuffix("/")) + "/"
