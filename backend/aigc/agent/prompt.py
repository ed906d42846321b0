"""Assemble the system prompt a session's agent receives: scenario, the user's own words, learned preferences."""

from __future__ import annotations

from collections.abc import Sequence

USER_INSTRUCTIONS_HEADING = "## Instructions from this user"
PREFERENCES_HEADING = (
    "## Learned preferences of this user (from their feedback; follow unless the request says otherwise)"
)


def build_system_prompt(
    scenario_prompt: str, user_instructions: str = "", learned_preferences: Sequence[str] = ()
) -> str:
    """The scenario's prompt first, then clearly marked sections for what the user added or the platform learned."""
    parts = [scenario_prompt.strip()] if scenario_prompt.strip() else []
    if user_instructions.strip():
        parts.append(f"{USER_INSTRUCTIONS_HEADING}\n{user_instructions.strip()}")
    preferences = [p.strip() for p in learned_preferences if p and p.strip()]
    if preferences:
        parts.append(PREFERENCES_HEADING + "\n" + "\n".join(f"- {p}" for p in preferences))
    return "\n\n".join(parts)
