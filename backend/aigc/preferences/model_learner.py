"""Learn preferences through the Anthropic Messages API; the reply must validate or the caller falls back."""

from __future__ import annotations

import json
import logging
import re
import uuid
from collections.abc import Sequence
from typing import Any

import anthropic
from pydantic import BaseModel, Field, ValidationError

from aigc.core.config import Settings
from aigc.preferences.learner import LearnedItem, LearnedProfile
from aigc.preferences.samples import FeedbackSample

logger = logging.getLogger("aigc.preferences")

# The marker lets a scripted model (tests, demo) recognise these requests.
LEARNING_MARKER = "aigc-preference-learning"
MAX_ITEMS = 8
ANSWER_EXCERPT = 600

SYSTEM_PROMPT = f"""You are the preference-learning component of an AI platform ({LEARNING_MARKER}).
You receive one user's ratings of assistant answers: rating (up/down), optional score 1-5, tags, comment,
the scenario id and an excerpt of the rated answer. Infer what this user consistently prefers.
Write at most {MAX_ITEMS} short, concrete instructions an assistant can follow (e.g. "Prefers concise answers
with bullet lists", "Writes formal Chinese", "Dislikes emoji"). Only include a preference supported by at
least two ratings; cite their ids as evidence. Use scope "all", or a scenario id when the evidence comes
from that scenario only. Reply with JSON only, no prose, in exactly this shape:
{{"items": [{{"instruction": "...", "instruction_zh": "...", "scope": "all", "confidence": 0.8,
"evidence": ["<feedback id>", "..."]}}], "summary": "one sentence"}}"""


class _ItemOut(BaseModel):
    instruction: str = Field(min_length=3, max_length=200)
    instruction_zh: str = Field(default="", max_length=200)
    scope: str = Field(default="all", max_length=36)
    confidence: float = Field(ge=0, le=1)
    evidence: list[uuid.UUID] = Field(min_length=1, max_length=50)


class _ProfileOut(BaseModel):
    items: list[_ItemOut] = Field(max_length=MAX_ITEMS)
    summary: str = Field(default="", max_length=500)


class InvalidModelReply(ValueError):
    """The model answered, but not with a profile that passes validation."""


def _payload(samples: Sequence[FeedbackSample]) -> str:
    return json.dumps(
        [
            {
                "id": str(s.id),
                "rating": s.rating,
                "score": s.score,
                "tags": list(s.tags),
                "comment": s.comment,
                "scenario_id": str(s.scenario_id) if s.scenario_id else None,
                "answer_excerpt": s.answer[:ANSWER_EXCERPT],
            }
            for s in samples
        ],
        ensure_ascii=False,
    )


def parse_reply(text: str, samples: Sequence[FeedbackSample]) -> LearnedProfile:
    """Validate the model's JSON against the schema and against the ratings it was given."""
    match = re.search(r"\{.*\}", text, re.DOTALL)
    if not match:
        raise InvalidModelReply("the reply holds no JSON object")
    try:
        parsed = _ProfileOut.model_validate(json.loads(match.group(0)))
    except (json.JSONDecodeError, ValidationError) as exc:
        raise InvalidModelReply(f"the reply does not match the schema: {exc}") from None
    known_ids = {s.id for s in samples}
    known_scopes = {"all"} | {str(s.scenario_id) for s in samples if s.scenario_id}
    items = []
    for index, item in enumerate(parsed.items):
        if not set(item.evidence) <= known_ids:
            raise InvalidModelReply("an item cites feedback that does not exist")
        if item.scope not in known_scopes:
            raise InvalidModelReply(f"unknown scope {item.scope!r}")
        items.append(
            LearnedItem(
                key=f"model-{index}",
                instruction=item.instruction.strip(),
                instruction_zh=item.instruction_zh.strip(),
                evidence=list(dict.fromkeys(item.evidence)),
                confidence=round(item.confidence, 2),
                scope=item.scope,
            )
        )
    return LearnedProfile(items=items, summary=parsed.summary.strip(), learner="model")


def _client(settings: Settings) -> anthropic.AsyncAnthropic:
    base_url: str | None
    if settings.demo_model_enabled:
        key, base_url = "demo", settings.anthropic_base_url or f"http://127.0.0.1:{settings.demo_model_port}"
    else:
        assert settings.anthropic_api_key is not None
        key, base_url = settings.anthropic_api_key.get_secret_value(), settings.anthropic_base_url
    return anthropic.AsyncAnthropic(
        api_key=key, base_url=base_url, timeout=settings.preference_learning_timeout_seconds, max_retries=1
    )


async def learn_with_model(
    settings: Settings, samples: Sequence[FeedbackSample], client: anthropic.AsyncAnthropic | None = None
) -> tuple[LearnedProfile, str]:
    """Ask the model; returns the validated profile and the model id used. Raises on any failure."""
    model = settings.resolve_model(settings.preference_learning_model)
    client = client or _client(settings)
    response: Any = await client.messages.create(
        model=model,
        max_tokens=1500,
        system=SYSTEM_PROMPT,
        messages=[{"role": "user", "content": _payload(samples)}],
    )
    text = "".join(block.text for block in response.content if getattr(block, "type", "") == "text")
    return parse_reply(text, samples), model
