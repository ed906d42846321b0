"""Merging a fresh learning result into a stored profile without losing what the user decided."""

from __future__ import annotations

import hashlib

from aigc.preferences.learner import LearnedItem
from aigc.preferences.models import ProfileItem

# What the user decided about an item and a new learning run must not undo.
_USER_CHOICES = ("instruction", "instruction_zh", "source", "enabled", "dismissed")


def item_id(item: LearnedItem, learner: str) -> str:
    """Stable across runs, even when new evidence moves an item's scope: so edits and removals stick.

    A statistical item is its rule's key; a model item is a hash of what it says.
    """
    if learner == "statistical":
        return item.key
    return "m-" + hashlib.sha1(" ".join(item.instruction.lower().split()).encode()).hexdigest()[:12]


def merge(previous: list[ProfileItem], learned: list[LearnedItem], learner: str) -> list[ProfileItem]:
    """New learned items replace old learned ones; the user's own items, edits and removals are kept."""
    kept = {p.id: p for p in previous if p.source in ("user", "edited") or p.dismissed}
    merged: list[ProfileItem] = []
    for item in learned:
        fresh = ProfileItem(
            id=item_id(item, learner),
            instruction=item.instruction,
            instruction_zh=item.instruction_zh,
            scope=item.scope,
            confidence=item.confidence,
            evidence=list(item.evidence),
            source="learned",
        )
        user_version = kept.pop(fresh.id, None)
        if user_version is not None:
            # The user's wording and on/off choice win; the evidence and confidence are refreshed.
            fresh = fresh.model_copy(update={k: getattr(user_version, k) for k in _USER_CHOICES})
        merged.append(fresh)
    merged.extend(kept.values())
    return merged


def active_lines(profile: list[ProfileItem], scenario_id: str | None) -> list[str]:
    """The instructions a session of this scenario should follow."""
    return [
        p.instruction for p in profile if p.enabled and not p.dismissed and p.scope in ("all", scenario_id)
    ]
