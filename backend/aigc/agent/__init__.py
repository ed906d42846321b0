"""The agent runtime: the only package of the platform that talks to the Claude Agent SDK."""

from aigc.agent.events import AgentEvent
from aigc.agent.options import McpServerSpec, TurnRequest
from aigc.agent.runtime import AgentRuntime, RuntimeConfig, RuntimeStats, runtime_from_settings
from aigc.agent.skills import install_skills

__all__ = [
    "AgentEvent",
    "AgentRuntime",
    "McpServerSpec",
    "RuntimeConfig",
    "RuntimeStats",
    "TurnRequest",
    "install_skills",
    "runtime_from_settings",
]
