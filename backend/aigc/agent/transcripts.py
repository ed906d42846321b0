"""The SDK's transcript-store pieces the sessions domain needs, so that only aigc.agent imports the SDK.

The store itself (aigc.sessions.transcripts) is duck-typed: the SDK probes its methods at run time.
"""

from __future__ import annotations

from pathlib import Path

from claude_agent_sdk import SessionStore, fold_session_summary, project_key_for_directory
from claude_agent_sdk.types import (
    SessionKey,
    SessionListSubkeysKey,
    SessionStoreEntry,
    SessionStoreListEntry,
    SessionSummaryEntry,
)

__all__ = [
    "SessionKey",
    "SessionListSubkeysKey",
    "SessionStore",
    "SessionStoreEntry",
    "SessionStoreListEntry",
    "SessionSummaryEntry",
    "fold_session_summary",
    "project_key",
]


def project_key(cwd: Path | str) -> str:
    """The store's project key of a working folder: the CLI's own name for it under projects/."""
    return project_key_for_directory(cwd)
