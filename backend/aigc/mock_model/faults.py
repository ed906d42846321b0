"""Faults the scripted model can inject: error statuses, delays, stalls and cut connections."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, Literal

FaultKind = Literal["500", "529", "429", "401", "delay", "stall", "cut"]

# status, Anthropic error type, message: the shapes the real API returns for these failures.
STATUS_FAULTS: dict[str, tuple[int, str, str]] = {
    "500": (500, "api_error", "Internal server error (scripted fault)"),
    "529": (529, "overloaded_error", "Overloaded (scripted fault)"),
    "429": (429, "rate_limit_error", "Rate limited (scripted fault)"),
    "401": (401, "authentication_error", "invalid x-api-key (scripted fault)"),
}
KINDS: tuple[str, ...] = (*STATUS_FAULTS, "delay", "stall", "cut")

MARKER = re.compile(r"\[\[fault:([a-z0-9]+)(?::([0-9]+(?:\.[0-9]+)?))?\]\]", re.IGNORECASE)


@dataclass(frozen=True)
class Fault:
    """One fault; `seconds` is the delay length, or how long a stall lasts (None: the server default)."""

    kind: FaultKind
    seconds: float | None = None

    @property
    def status(self) -> tuple[int, str, str] | None:
        """Status, error type and message for the HTTP error faults, else None."""
        return STATUS_FAULTS.get(self.kind)


def make_fault(kind: str, seconds: float | None = None) -> Fault:
    """Validate a fault kind, raising ValueError for an unknown one."""
    kind = kind.lower()
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; expected one of {', '.join(KINDS)}")
    if kind == "delay" and seconds is None:
        raise ValueError("a delay fault needs seconds")
    return Fault(kind, seconds)  # type: ignore[arg-type]


def parse_markers(text: str) -> list[Fault]:
    """Faults named by `[[fault:KIND]]` or `[[fault:KIND:SECONDS]]` markers in a user's text."""
    faults = []
    for kind, seconds in MARKER.findall(text):
        try:
            faults.append(make_fault(kind, float(seconds) if seconds else None))
        except ValueError:
            continue  # an unknown kind injects nothing, so a typo still gets a normal reply
    return faults


def strip_markers(text: str) -> str:
    """The text with fault markers removed."""
    return MARKER.sub("", text).strip()


@dataclass
class FaultPlan:
    """What one request suffers: a delay before the first byte, then at most one breaking fault."""

    delay: float = 0.0
    fault: Fault | None = None

    def add(self, fault: Fault) -> None:
        """Fold a fault into the plan; the first breaking fault wins."""
        if fault.kind == "delay":
            self.delay += fault.seconds or 0.0
        elif self.fault is None:
            self.fault = fault


@dataclass
class _Armed:
    fault: Fault
    remaining: int


class FaultQueue:
    """Faults armed through the control API, consumed one request at a time in arming order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[_Armed] = []

    def arm(self, fault: Fault, count: int = 1) -> None:
        """Apply `fault` to the next `count` requests (after earlier armed faults are used up)."""
        with self._lock:
            self._armed.append(_Armed(fault, count))

    def take(self) -> Fault | None:
        """The fault for the next request, if any."""
        with self._lock:
            while self._armed:
                entry = self._armed[0]
                if entry.remaining > 0:
                    entry.remaining -= 1
                    return entry.fault
                self._armed.pop(0)
            return None

    def pending(self) -> list[dict[str, Any]]:
        """Armed faults and their remaining counts."""
        with self._lock:
            return [
                {"kind": a.fault.kind, "seconds": a.fault.seconds, "count": a.remaining}
                for a in self._armed
                if a.remaining > 0
            ]

    def clear(self) -> None:
        """Disarm everything."""
        with self._lock:
            self._armed.clear()
