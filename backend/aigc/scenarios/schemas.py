"""Typed shapes of scenarios and per-user scenario settings at the API edge."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from aigc.integrations.schemas import ScenarioMcpServerLink

# Tools an agent can be given. Shell and network tools run only inside the OS sandbox.
FILE_TOOLS = ("Read", "Write", "Edit", "Glob", "Grep")
KNOWN_TOOLS = (*FILE_TOOLS, "Skill", "TodoWrite", "NotebookEdit", "Bash", "WebFetch", "WebSearch")
SANDBOXED_TOOLS = ("Bash", "WebFetch", "WebSearch")

SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]{1,63}$"
MODEL_PATTERN = r"^[A-Za-z0-9._:/@-]{1,100}$"


def _clean_strings(values: list[str], limit: int, item_max: int) -> list[str]:
    cleaned = list(dict.fromkeys(v.strip() for v in values if v and v.strip()))
    if len(cleaned) > limit:
        raise ValueError(f"at most {limit} items")
    if any(len(v) > item_max for v in cleaned):
        raise ValueError(f"each item must be at most {item_max} characters")
    return cleaned


def _check_models(values: list[str]) -> list[str]:
    cleaned = _clean_strings(values, limit=10, item_max=100)
    bad = [v for v in cleaned if not re.match(MODEL_PATTERN, v)]
    if bad:
        raise ValueError(f"not a model name: {bad[0]!r}")
    return cleaned


def _check_tools(values: list[str]) -> list[str]:
    unknown = [tool for tool in values if tool not in KNOWN_TOOLS]
    if unknown:
        raise ValueError(f"unknown tool {unknown[0]!r}; choose from {', '.join(KNOWN_TOOLS)}")
    return list(dict.fromkeys(values))


def _check_translations(value: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    allowed = {"name", "description", "example_prompts"}
    for locale, fields in value.items():
        if len(locale) > 10 or not set(fields) <= allowed:
            raise ValueError(f"translations may hold only {sorted(allowed)} per locale")
    return value


Tags = Annotated[list[str], AfterValidator(lambda v: _clean_strings(v, limit=20, item_max=30))]
ExamplePrompts = Annotated[list[str], AfterValidator(lambda v: _clean_strings(v, limit=10, item_max=500))]
ModelNames = Annotated[list[str], AfterValidator(_check_models)]
Tools = Annotated[list[str], AfterValidator(_check_tools)]
Translations = Annotated[dict[str, dict[str, Any]], AfterValidator(_check_translations)]
ModelName = Annotated[str, Field(pattern=MODEL_PATTERN)]
SkillIds = Annotated[list[uuid.UUID], Field(max_length=20)]


class ScenarioShellLimits(BaseModel):
    """A scenario's own limits for its shell commands (per session); unset: the server's AGENT_SHELL_* value.

    A value may not exceed the server's own (those settings are the maxima), so a scenario can only tighten.
    """

    model_config = ConfigDict(extra="forbid")

    cpu_seconds: int | None = Field(default=None, ge=1, description="CPU time of one process, in seconds")
    memory_mb: int | None = Field(
        default=None, ge=64, description="Memory of the session's commands together"
    )
    max_processes: int | None = Field(default=None, ge=8, description="Processes at once")
    output_mb: int | None = Field(
        default=None, ge=1, description="Largest file or output one command may write"
    )
    disk_mb: int | None = Field(default=None, ge=1, description="Quota of the session folder")


class ScenarioCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    slug: str | None = Field(
        default=None, pattern=SLUG_PATTERN, description="Generated from the name when empty"
    )
    description: str = Field(default="", max_length=2000)
    category: str = Field(default="general", min_length=1, max_length=50)
    tags: Tags = Field(default_factory=list)
    icon: str = Field(default="🤖", max_length=32)
    example_prompts: ExamplePrompts = Field(default_factory=list)
    translations: Translations = Field(default_factory=dict)
    system_prompt: str = Field(default="", max_length=20000)
    model: ModelName | None = None
    allowed_models: ModelNames = Field(default_factory=list)
    tools: Tools = Field(default_factory=lambda: list(FILE_TOOLS))
    skill_ids: SkillIds = Field(default_factory=list)
    max_turns: int = Field(default=20, ge=1, le=100)
    max_budget_usd: float | None = Field(default=None, gt=0, le=100)
    shell_limits: ScenarioShellLimits = Field(default_factory=ScenarioShellLimits)
    mcp_servers: list[ScenarioMcpServerLink] = Field(
        default_factory=list, description="MCP servers the agent may use, and which of their tools"
    )
    is_public: bool = False
    is_enabled: bool = True


class ScenarioUpdate(BaseModel):
    """Partial update: only the fields sent change."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=2000)
    category: str | None = Field(default=None, min_length=1, max_length=50)
    tags: Tags | None = None
    icon: str | None = Field(default=None, max_length=32)
    example_prompts: ExamplePrompts | None = None
    translations: Translations | None = None
    system_prompt: str | None = Field(default=None, max_length=20000)
    model: ModelName | None = None
    allowed_models: ModelNames | None = None
    tools: Tools | None = None
    skill_ids: SkillIds | None = None
    max_turns: int | None = Field(default=None, ge=1, le=100)
    max_budget_usd: float | None = Field(default=None, gt=0, le=100)
    shell_limits: ScenarioShellLimits | None = Field(
        default=None, description="Replaces the scenario's shell limits; {} returns to the server's"
    )
    mcp_servers: list[ScenarioMcpServerLink] | None = Field(
        default=None, description="Replaces the scenario's MCP servers; [] removes them all"
    )
    is_public: bool | None = None
    is_enabled: bool | None = None

    @model_validator(mode="after")
    def _no_null_for_required_fields(self) -> ScenarioUpdate:
        # `null` means "clear" only where a scenario can do without the value (its own model, its budget);
        # for every other field it would break the stored row, so it is a 422, not a 500.
        cleared = sorted(name for name in self.model_fields_set - _CLEARABLE if getattr(self, name) is None)
        if cleared:
            raise ValueError(f"These fields cannot be null: {', '.join(cleared)}")
        return self


_CLEARABLE = frozenset({"model", "max_budget_usd"})


class UserScenarioConfigPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    is_favorite: bool = False
    extra_instructions: str = ""
    model: str | None = None
    last_used_at: datetime | None = None


class UserScenarioConfigUpdate(BaseModel):
    is_favorite: bool | None = None
    extra_instructions: str | None = Field(default=None, max_length=4000)
    model: ModelName | None = None


class ScenarioPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    slug: str
    name: str
    description: str
    category: str
    tags: list[str]
    icon: str
    example_prompts: list[str]
    translations: dict[str, dict[str, Any]]
    system_prompt: str
    model: str | None
    allowed_models: list[str]
    tools: list[str]
    skill_ids: list[uuid.UUID] = Field(default_factory=list)
    max_turns: int
    max_budget_usd: float | None
    shell_limits: ScenarioShellLimits = Field(default_factory=ScenarioShellLimits)
    mcp_servers: list[ScenarioMcpServerLink] = Field(default_factory=list)
    is_default: bool
    is_public: bool
    is_enabled: bool
    is_builtin: bool
    created_by: uuid.UUID | None
    created_at: datetime
    updated_at: datetime
    user_config: UserScenarioConfigPublic = Field(default_factory=UserScenarioConfigPublic)


class ScenariosPublic(BaseModel):
    items: list[ScenarioPublic]
    count: int


class ScenarioMatchRequest(BaseModel):
    text: str = Field(min_length=1, max_length=20000)
    limit: int = Field(default=5, ge=1, le=20)


class ScenarioMatch(BaseModel):
    scenario: ScenarioPublic
    score: float
    reason: str


class ScenarioMatches(BaseModel):
    items: list[ScenarioMatch]
    fallback: bool = Field(
        description="True when nothing matched closely and the default scenario is suggested"
    )
