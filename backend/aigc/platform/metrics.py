"""Moved to aigc.core.metrics (the HTTP middleware in core counts requests, so core owns the registry).

Kept until aigc.sessions.turns imports aigc.core.metrics itself.
"""

from aigc.core.metrics import observe_turn

__all__ = ["observe_turn"]
