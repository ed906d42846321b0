"""Small helpers shared by the scripted model tests."""

from __future__ import annotations

import json
from typing import Any


def parse_sse(raw: str) -> list[tuple[str, dict[str, Any]]]:
    """(event name, data) pairs of a complete or partial SSE body."""
    events = []
    for chunk in raw.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in chunk.splitlines() if ": " in line)
        if "event" in lines and "data" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events


def user(text: str) -> dict[str, Any]:
    """A plain user message."""
    return {"role": "user", "content": [{"type": "text", "text": text}]}


def body(*messages: dict[str, Any], stream: bool = False, **extra: Any) -> dict[str, Any]:
    """A Messages request body with one tool declared, as the CLI sends."""
    return {
        "model": "claude-sonnet-4-5",
        "max_tokens": 1024,
        "messages": list(messages),
        "tools": [{"name": "Write", "input_schema": {"type": "object"}}],
        "stream": stream,
        **extra,
    }
