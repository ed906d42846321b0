"""Re-read the settings that may change while the server runs; anything else needs a restart."""

from __future__ import annotations

import logging
from typing import Any

from pydantic import SecretStr

from aigc.core.config import ConfigError, Settings, load_settings
from aigc.core.errors import AppError
from aigc.platform.schemas import ConfigReloadResult

logger = logging.getLogger("aigc.config")

RELOADABLE = frozenset(
    {
        "default_model",
        "model_aliases",
        "agent_turn_timeout_seconds",
        "agent_stall_timeout_seconds",
        "agent_idle_release_seconds",
        "agent_max_retries",
        "agent_request_timeout_ms",
        "agent_default_max_turns",
        "mcp_allow_private_networks",
        "mcp_tool_timeout_seconds",
        "registration_mode",
        "login_max_failures_per_account",
        "login_failure_window_seconds",
        "login_max_attempts_per_ip",
        "login_ip_window_seconds",
        "preference_min_feedback_count",
        "preference_learning_model",
        "preference_learning_use_model",
        "preference_learning_timeout_seconds",
        "log_level",
        "metrics_token",
    }
)
_RUNTIME_FIELDS = {
    "agent_turn_timeout_seconds": "turn_timeout",
    "agent_stall_timeout_seconds": "stall_timeout",
    "agent_idle_release_seconds": "idle_release",
    "agent_max_retries": "max_retries",
    "agent_request_timeout_ms": "request_timeout_ms",
    "agent_default_max_turns": "default_max_turns",
    "mcp_tool_timeout_seconds": "mcp_tool_timeout",
}


def _shown(value: Any) -> Any:
    return "******" if isinstance(value, SecretStr) else value


def reload_settings(current: Settings, runtime: Any) -> ConfigReloadResult:
    """Load the configuration afresh; apply the run-time fields in place, report the others."""
    try:
        fresh = load_settings()
    except ConfigError as exc:
        raise AppError(
            f"The new configuration is invalid, the running one is unchanged: {exc}",
            code="invalid_config",
            status_code=422,
        ) from None
    changed: dict[str, list[Any]] = {}
    restart_required: list[str] = []
    for name in type(current).model_fields:
        if name == "jwt_secret_key" and current.debug and not fresh.jwt_secret():  # a generated debug secret
            continue
        old, new = getattr(current, name), getattr(fresh, name)
        old_raw = old.get_secret_value() if isinstance(old, SecretStr) else old
        new_raw = new.get_secret_value() if isinstance(new, SecretStr) else new
        if old_raw == new_raw:
            continue
        if name in RELOADABLE:
            setattr(current, name, new)
            changed[name] = [_shown(old), _shown(new)]
        else:
            restart_required.append(name)
    runtime_changes = {
        field: getattr(current, name) for name, field in _RUNTIME_FIELDS.items() if name in changed
    }
    if runtime_changes and runtime is not None:
        runtime.reconfigure(**runtime_changes)
    if "log_level" in changed:
        logging.getLogger().setLevel(current.log_level)
    logger.info(
        "Configuration reloaded: %s changed; restart needed for %s",
        sorted(changed) or "nothing",
        restart_required or "nothing",
    )
    return ConfigReloadResult(changed=changed, restart_required=sorted(restart_required))
