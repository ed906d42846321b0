"""Reading Server-Sent Events the way a browser would, for the tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    id: int | None
    event: str
    data: Any


def parse(text: str) -> list[Event]:
    """Split a text/event-stream body into events; comment lines (keep-alives) are skipped."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        fields: dict[str, str] = {}
        data_lines = []
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "data":
                data_lines.append(value)
            else:
                fields[name] = value
        if not data_lines and "event" not in fields:
            continue
        raw = "\n".join(data_lines)
        events.append(
            Event(
                id=int(fields["id"]) if "id" in fields else None,
                event=fields.get("event", "message"),
                data=json.loads(raw) if raw else None,
            )
        )
    return events


def text_of(events: list[Event]) -> str:
    """The assistant text a client shows: deltas appended, resets replacing."""
    shown = ""
    for event in events:
        if event.event == "text_delta":
            shown += event.data["text"]
        elif event.event == "text_reset":
            shown = event.data["text"]
    return shown


def of(events: list[Event], kind: str) -> list[Any]:
    return [e.data for e in events if e.event == kind]
