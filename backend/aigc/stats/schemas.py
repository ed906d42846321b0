"""Typed shapes of the stats API."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel


class StatsTotals(BaseModel):
    sessions: int = 0
    messages: int = 0
    turns: int = 0
    errors: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cost_usd: float = 0.0


class DayStats(BaseModel):
    day: date
    sessions: int
    messages: int
    input_tokens: int
    output_tokens: int
    cost_usd: float


class ScenarioStats(BaseModel):
    scenario_id: uuid.UUID | None
    scenario_name: str
    sessions: int
    messages: int
    cost_usd: float
    feedback_up: int
    feedback_down: int
    satisfaction: float | None  # share of thumbs up among rated answers; None when nothing was rated


class ModelStats(BaseModel):
    model: str
    turns: int
    messages: int
    input_tokens: int
    output_tokens: int
    cost_usd: float


class StatsPublic(BaseModel):
    scope: Literal["user", "all"]
    user_id: uuid.UUID | None
    date_from: date | None
    date_to: date | None
    totals: StatsTotals
    by_day: list[DayStats]
    by_scenario: list[ScenarioStats]
    by_model: list[ModelStats]
