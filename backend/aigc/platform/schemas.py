"""Shapes of the platform's public status endpoints."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class HealthPublic(BaseModel):
    """Overall status and one field per checked part; a failing part reads `error: <reason>`."""

    status: Literal["ok", "error"]
    version: str
    db: str
    storage: str = "ok"
    scheduler: str = "ok"
    model: str = Field(
        default="", description="Informational: the model endpoint's reachability; never fails the check"
    )
    turns: str = Field(
        default="embedded",
        description="Where turns run: `embedded` (this process), or scaled out `ok: N worker(s)` / "
        "`error: redis unreachable | broker unreachable | no worker running`",
    )
    shell_sandbox: str = Field(
        default="",
        description="Informational: how shell commands are isolated and limited on this host "
        "(`ok: ...` or `unavailable: <reason>`); only shell scenarios need it, so it never fails the check",
    )


class PlatformInfo(BaseModel):
    name: str
    version: str
    registration_mode: Literal["open", "admin_only"]
    demo_model: bool
    default_model: str


class ConfigReloadResult(BaseModel):
    changed: dict[str, list[object]]
    restart_required: list[str]
