"""The deterministic statistical learner: concrete instructions from tags, comments and answer features.

Each rule looks for consistent evidence (at least MIN_EVIDENCE ratings pointing the same way and little
pointing the other way) and cites the feedback it came from. It is the fallback of the model learner and
the learner used when no model is configured, so it must be predictable and fast.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from aigc.preferences.samples import FeedbackSample

MIN_EVIDENCE = 2
# An item is scoped to one scenario when this share of its evidence comes from it.
SCENARIO_SCOPE_SHARE = 0.8


@dataclass
class LearnedItem:
    key: str
    instruction: str
    instruction_zh: str
    evidence: list[uuid.UUID]
    confidence: float
    scope: str = "all"  # "all" or a scenario id
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class LearnedProfile:
    items: list[LearnedItem]
    summary: str
    learner: str  # statistical | model


def _mentions(pattern: str) -> Callable[[FeedbackSample], bool]:
    regex = re.compile(pattern, re.IGNORECASE)
    return lambda s: bool(regex.search(s.comment))


def _tagged(tag: str) -> Callable[[FeedbackSample], bool]:
    return lambda s: tag in s.tags


@dataclass(frozen=True)
class _Rule:
    key: str
    instruction: str
    instruction_zh: str
    supports: Callable[[FeedbackSample], bool]
    contradicts: Callable[[FeedbackSample], bool] = lambda s: False


_CONCISE_WORDS = r"太长|啰嗦|冗长|简洁|简短|精简|too long|verbose|shorter|concise|wordy"
_DETAILED_WORDS = r"太短|详细|具体一点|展开|too short|more detail|elaborate|in depth"
_RULES: tuple[_Rule, ...] = (
    _Rule(
        "concise",
        "Prefers concise answers: keep replies short and to the point.",
        "偏好简洁的回答：简明扼要，直奔主题。",
        lambda s: (
            (not s.positive and ("too_long" in s.tags or bool(re.search(_CONCISE_WORDS, s.comment, re.I))))
            or (s.positive and bool(re.search(r"简洁|concise|short and", s.comment, re.I)))
        ),
        lambda s: "too_short" in s.tags,
    ),
    _Rule(
        "detailed",
        "Prefers thorough, detailed answers with explanations and examples.",
        "偏好详尽的回答：给出解释和示例。",
        lambda s: (
            (not s.positive and ("too_short" in s.tags or bool(re.search(_DETAILED_WORDS, s.comment, re.I))))
            or (s.positive and bool(re.search(r"详细|detailed|thorough", s.comment, re.I)))
        ),
        lambda s: "too_long" in s.tags,
    ),
    _Rule(
        "format",
        "Follow the requested output format exactly (structure, tables, file type).",
        "严格遵循要求的输出格式（结构、表格、文件类型）。",
        _tagged("wrong_format"),
    ),
    _Rule(
        "accuracy",
        "Check facts carefully and say clearly when unsure rather than guessing.",
        "仔细核对事实，不确定时明确说明，不要猜测。",
        lambda s: (
            "inaccurate" in s.tags
            or (not s.positive and bool(re.search(r"不对|错误|不准确|wrong|incorrect", s.comment, re.I)))
        ),
    ),
    _Rule(
        "on_topic",
        "Answer exactly what was asked; avoid tangents.",
        "紧扣问题作答，不要跑题。",
        lambda s: (
            "off_topic" in s.tags
            or (not s.positive and bool(re.search(r"跑题|答非所问|off.topic|irrelevant", s.comment, re.I)))
        ),
    ),
    _Rule(
        "no_emoji",
        "Dislikes emoji: do not use emoji.",
        "不喜欢表情符号：不要使用 emoji。",
        lambda s: not s.positive and (s.has_emoji or bool(re.search(r"emoji|表情", s.comment, re.I))),
        lambda s: s.positive and s.has_emoji,
    ),
    _Rule(
        "lists",
        "Likes structured answers with bullet lists and clear headings.",
        "喜欢结构化的回答：使用要点列表和清晰的小标题。",
        lambda s: (
            s.positive
            and (
                s.has_list
                or s.has_headings
                or bool(re.search(r"列表|要点|条理|bullet|structured", s.comment, re.I))
            )
        ),
        lambda s: not s.positive and (s.has_list or s.has_headings) and "wrong_format" in s.tags,
    ),
    _Rule(
        "tables",
        "Likes tables for comparisons and data.",
        "喜欢用表格呈现对比和数据。",
        lambda s: (s.positive and s.has_table) or bool(re.search(r"表格|table", s.comment, re.I)),
    ),
    _Rule(
        "formal",
        "Prefers a formal, professional written register.",
        "偏好正式、专业的书面语。",
        _mentions(r"正式|书面|专业|formal|professional"),
        _mentions(r"口语|轻松|随意|casual|friendly"),
    ),
    _Rule(
        "casual",
        "Prefers a casual, friendly tone.",
        "偏好轻松、亲切的语气。",
        _mentions(r"口语|轻松|随意|亲切|casual|friendly"),
        _mentions(r"正式|书面|formal"),
    ),
)


def _length_item(samples: Sequence[FeedbackSample]) -> LearnedItem | None:
    """Disliked answers much longer than liked ones (and not disliked for being short): wants brevity."""
    liked = [s for s in samples if s.positive]
    disliked = [s for s in samples if not s.positive and "too_short" not in s.tags]
    if len(liked) < MIN_EVIDENCE or len(disliked) < MIN_EVIDENCE:
        return None
    liked_avg = sum(s.length for s in liked) / len(liked)
    disliked_avg = sum(s.length for s in disliked) / len(disliked)
    if disliked_avg < 1.6 * max(liked_avg, 1):
        return None
    evidence = [s.id for s in disliked if s.length > liked_avg * 1.3]
    if len(evidence) < MIN_EVIDENCE:
        return None
    words = max(30, int(round(liked_avg * 1.2, -1)))
    return LearnedItem(
        "concise",
        f"Prefers concise answers: aim for about {words} words or fewer unless asked for more.",
        f"偏好简洁的回答：除非另有要求，控制在约 {words} 字以内。",
        evidence,
        _confidence(len(evidence), 1.0),
    )


def _confidence(support: int, agreement: float) -> float:
    return round(min(0.95, 0.4 + 0.1 * support) * agreement, 2)


def _scope(evidence: list[uuid.UUID], by_id: dict[uuid.UUID, FeedbackSample]) -> str:
    scenarios = Counter(by_id[e].scenario_id for e in evidence if by_id[e].scenario_id is not None)
    if not scenarios or len({s.scenario_id for s in by_id.values() if s.scenario_id is not None}) < 2:
        return "all"
    top, count = scenarios.most_common(1)[0]
    return str(top) if count / len(evidence) >= SCENARIO_SCOPE_SHARE and count >= MIN_EVIDENCE + 1 else "all"


def learn_statistically(samples: Sequence[FeedbackSample]) -> LearnedProfile:
    """Apply every rule; keep those with enough consistent evidence, most confident first."""
    by_id = {s.id: s for s in samples}
    items: dict[str, LearnedItem] = {}
    for rule in _RULES:
        support = [s.id for s in samples if rule.supports(s)]
        against = sum(1 for s in samples if rule.contradicts(s))
        if len(support) < MIN_EVIDENCE or against >= len(support):
            continue
        agreement = len(support) / (len(support) + against)
        items[rule.key] = LearnedItem(
            rule.key, rule.instruction, rule.instruction_zh, support, _confidence(len(support), agreement)
        )
    length = _length_item(samples)
    if length is not None and "detailed" not in items:
        merged = items.get("concise")
        if merged is None or length.confidence > merged.confidence:
            if merged is not None:
                length.evidence = list(dict.fromkeys(merged.evidence + length.evidence))
            items["concise"] = length
    if "concise" in items and "detailed" in items:  # contradictory: keep the better supported one
        weaker = min(("concise", "detailed"), key=lambda k: (len(items[k].evidence), items[k].confidence))
        del items[weaker]
    if "formal" in items and "casual" in items:
        weaker = min(("formal", "casual"), key=lambda k: len(items[k].evidence))
        del items[weaker]
    learned = sorted(items.values(), key=lambda i: (-i.confidence, i.key))
    for item in learned:
        item.scope = _scope(item.evidence, by_id)
    ups = sum(1 for s in samples if s.positive)
    summary = (
        f"Learned from {len(samples)} ratings ({ups} up, {len(samples) - ups} down): "
        + (
            "; ".join(i.instruction.rstrip(".").split(":")[0].lower() for i in learned)
            if learned
            else "no clear preference yet"
        )
        + "."
    )
    return LearnedProfile(items=learned, summary=summary, learner="statistical")
