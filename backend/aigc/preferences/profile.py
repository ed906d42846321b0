"""Merging a fresh learning result into a stored profile without losing what the user decided."""

from __future__ import annotations

import hashlib
from typing import Any

from aigc.preferences.learner import LearnedItem

# Item dictionaries stored in user_preferences_cache.profile:
# {id, instruction, instruction_zh, scope, confidence, evidence: [ids], source, enabled, dismissed}


def item_id(item: LearnedItem, learner: str) -> str:
    """Stable across runs, even when new evidence moves an item's scope: so edits and removals stick.

    A statistical item is its rule's key; a model item is a hash of what it says.
    """
    if learner == "statistical":
        return item.key
    return "m-" + hashlib.sha1(" ".join(item.instruction.lower().split()).encode()).hexdigest()[:12]


def merge(previous: list[dict[str, Any]], learned: list[LearnedItem], learner: str) -> list[dict[str, Any]]:
    """New learned items replace old learned ones; the user's own items, edits and removals are kept."""
    kept = {p["id"]: p for p in previous if p.get("source") in ("user", "edited") or p.get("dismissed")}
    merged: list[dict[str, Any]] = []
    for item in learned:
        identifier = item_id(item, learner)
        fresh = {
            "id": identifier,
            "instruction": item.instruction,
            "instruction_zh": item.instruction_zh,
            "scope": item.scope,
            "confidence": item.confidence,
            "evidence": [str(e) for e in item.evidence],
            "source": "learned",
            "enabled": True,
            "dismissed": False,
        }
        if identifier in kept:
            user_version = kept.pop(identifier)
            # The user's wording and on/off choice win; the evidence and confidence are refreshed.
            fresh.update(
                {
                    k: user_version[k]
                    for k in ("instruction", "instruction_zh", "source", "enabled", "dismissed")
                    if k in user_version
                }
            )
        merged.append(fresh)
    merged.extend(kept.values())
    return merged


def active_lines(profile: list[dict[str, Any]], scenario_id: str | None) -> list[str]:
    """The instructions a session of this scenario should follow."""
    return [
        p["instruction"]
        for p in profile
        if p.get("enabled", True) and not p.get("dismissed") and p.get("scope", "all") in ("all", scenario_id)
    ]
