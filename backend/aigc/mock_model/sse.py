"""Anthropic Messages wire format: full message JSON and the SSE event stream."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

Block = dict[str, Any]

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def new_message_id() -> str:
    """Return a message id shaped like the real API's."""
    return f"msg_mock_{uuid.uuid4().hex[:24]}"


def new_tool_use_id() -> str:
    """Return a tool_use id shaped like the real API's."""
    return f"toolu_mock_{uuid.uuid4().hex[:24]}"


def estimate_tokens(value: Any) -> int:
    """Rough token count: about four characters of JSON per token, CJK counted per character."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    cjk = len(_CJK.findall(text))
    return max(1, cjk + (len(text) - cjk) // 4)


def stop_reason(blocks: list[Block]) -> str:
    """`tool_use` when the reply calls a tool, else `end_turn`."""
    return "tool_use" if any(b["type"] == "tool_use" for b in blocks) else "end_turn"


def usage(input_tokens: int, output_tokens: int) -> dict[str, int]:
    """Usage object with the cache fields the CLI expects to find."""
    return {
        "input_tokens": input_tokens,
        "output_tokens": output_tokens,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }


def full_message(message_id: str, model: str, blocks: list[Block], input_tokens: int) -> dict[str, Any]:
    """The non-streaming response body."""
    return {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": blocks,
        "stop_reason": stop_reason(blocks),
        "stop_sequence": None,
        "usage": usage(input_tokens, estimate_tokens(blocks)),
    }


def chunk_text(text: str, size: int = 12) -> list[str]:
    """Split text into small pieces at word or character boundaries so streaming is visible."""
    pieces: list[str] = []
    current = ""
    # Words and whitespace for Latin text; single characters for CJK, so both stream in small steps.
    for token in re.findall(r"[\u3400-\u9fff\uf900-\ufaff]|\s+|[^\s\u3400-\u9fff\uf900-\ufaff]+", text):
        if current and len(current) + len(token) > size:
            pieces.append(current)
            current = ""
        current += token
    if current:
        pieces.append(current)
    return pieces or [""]


def event(name: str, data: dict[str, Any]) -> bytes:
    """Encode one SSE event."""
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


def message_start(message_id: str, model: str, input_tokens: int) -> bytes:
    """The opening `message_start` event."""
    message: dict[str, Any] = {
        "id": message_id,
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": usage(input_tokens, 1),
    }
    return event("message_start", {"type": "message_start", "message": message})


def block_events(index: int, block: Block, chunk_size: int = 12) -> Iterator[bytes]:
    """content_block_start, its deltas, content_block_stop for one text or tool_use block."""
    if block["type"] == "text":
        yield event(
            "content_block_start",
            {"type": "content_block_start", "index": index, "content_block": {"type": "text", "text": ""}},
        )
        for piece in chunk_text(block["text"], chunk_size):
            delta = {"type": "text_delta", "text": piece}
            yield event(
                "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
            )
    else:
        start = {"type": "tool_use", "id": block["id"], "name": block["name"], "input": {}}
        yield event(
            "content_block_start", {"type": "content_block_start", "index": index, "content_block": start}
        )
        raw = json.dumps(block["input"], ensure_ascii=False)
        for offset in range(0, len(raw), 64):
            delta = {"type": "input_json_delta", "partial_json": raw[offset : offset + 64]}
            yield event(
                "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
            )
    yield event("content_block_stop", {"type": "content_block_stop", "index": index})


def message_end(blocks: list[Block]) -> Iterator[bytes]:
    """The closing `message_delta` and `message_stop` events."""
    delta = {"stop_reason": stop_reason(blocks), "stop_sequence": None}
    yield event(
        "message_delta",
        {"type": "message_delta", "delta": delta, "usage": {"output_tokens": estimate_tokens(blocks)}},
    )
    yield event("message_stop", {"type": "message_stop"})


def ping() -> bytes:
    """A keep-alive `ping` event."""
    return event("ping", {"type": "ping"})


def error_body(error_type: str, message: str) -> dict[str, Any]:
    """Anthropic error JSON."""
    return {"type": "error", "error": {"type": error_type, "message": message}}
