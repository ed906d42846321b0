"""Suggest scenarios for a first message: lexical ranking over scenario fields, Chinese and English, offline.

Chinese has no spaces, so CJK text is indexed as overlapping character bigrams (plus single characters for
one-character runs); Latin text as lower-cased words. Each scenario field has a weight (tags and name count
most), scores use BM25-style saturation with IDF across the visible catalogue, and the user's own history
nudges the ranking. Results are cached per user, normalised text and catalogue fingerprint: the id and
`updated_at` of every scenario ranked, read from the database with the scenarios themselves, so a change made
by any process (another web replica, a worker, a script) is seen at once and costs no extra query.
"""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from collections import Counter, OrderedDict
from dataclasses import dataclass

from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.feedback import service as feedback_service
from aigc.scenarios import repository
from aigc.scenarios.models import Scenario
from aigc.users.models import User

FIELD_WEIGHTS = {"name": 3.0, "tags": 3.0, "category": 2.0, "examples": 1.5, "description": 1.0}
# Below this the message is not about any scenario in particular; the default one is suggested.
MIN_RELEVANT_SCORE = 0.12
HISTORY_WEIGHT = 0.15
RATING_WEIGHT = 0.2
CACHE_SIZE = 2048
_K1 = 1.2

_LATIN = re.compile(r"[a-z0-9]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_STOPWORDS = {
    "a",
    "an",
    "the",
    "and",
    "or",
    "of",
    "to",
    "in",
    "on",
    "for",
    "with",
    "me",
    "my",
    "i",
    "you",
    "your",
    "please",
    "can",
    "could",
    "would",
    "is",
    "are",
    "be",
    "it",
    "this",
    "that",
    "some",
    "help",
    "write",
    "make",
    "give",
    "from",
    "about",
    "into",
    "as",
    "at",
    "by",
    "do",
    "what",
    "how",
}
# A bigram holding one of these function characters says nothing about the task ("我们", "的新").
_CJK_FUNCTION_CHARS = set("的了我你他她它们这那是在和把给与及或就都也还吗呢吧啊请帮一个些么什怎为让被从对")


def tokens(text: str) -> list[str]:
    """Latin words (a trailing plural `s` dropped) and CJK bigrams, lower-cased."""
    lowered = text.lower()
    result = [_stem(w) for w in _LATIN.findall(lowered) if w not in _STOPWORDS and len(w) > 1]
    for run in _CJK.findall(lowered):
        if len(run) == 1:
            grams = [run]
        else:
            grams = [run[i : i + 2] for i in range(len(run) - 1)]
        result.extend(g for g in grams if len(g) == 1 or not (set(g) & _CJK_FUNCTION_CHARS))
    return result


def _stem(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word


@dataclass(frozen=True)
class Match:
    scenario: Scenario
    score: float
    reason: str


def _fields(scenario: Scenario) -> dict[str, list[str]]:
    names = [scenario.name] + [
        t.get("name", "") for t in scenario.translations.values() if isinstance(t, dict)
    ]
    descriptions = [scenario.description] + [
        t.get("description", "") for t in scenario.translations.values() if isinstance(t, dict)
    ]
    examples = list(scenario.example_prompts) + [
        p for t in scenario.translations.values() if isinstance(t, dict) for p in t.get("example_prompts", [])
    ]
    return {
        "name": tokens(" ".join(names) + " " + scenario.slug.replace("-", " ")),
        "tags": tokens(" ".join(scenario.tags)),
        "category": tokens(scenario.category),
        "examples": tokens(" ".join(examples)),
        "description": tokens(" ".join(descriptions)),
    }


def rank(
    text: str,
    scenarios: list[Scenario],
    usage: dict[uuid.UUID, int] | None = None,
    ratings: dict[uuid.UUID, float] | None = None,
) -> list[Match]:
    """Scenarios ordered by relevance to `text`, each with a score in [0, ~1.5] and a readable reason."""
    query = list(dict.fromkeys(tokens(text)))
    if not query or not scenarios:
        return []
    indexed = {s.id: _fields(s) for s in scenarios}
    documents = {sid: set().union(*map(set, fields.values())) for sid, fields in indexed.items()}
    idf = {
        term: math.log(1 + (len(scenarios) + 1) / (1 + sum(term in doc for doc in documents.values())))
        for term in query
    }
    max_idf_sum = sum(idf.values()) or 1.0
    usage, ratings = usage or {}, ratings or {}
    total_uses = sum(usage.values()) or 1
    matches = []
    for scenario in scenarios:
        fields = indexed[scenario.id]
        counts = {name: Counter(toks) for name, toks in fields.items()}
        score = 0.0
        hits: dict[str, float] = {}
        for term in query:
            term_score = 0.0
            for name, weight in FIELD_WEIGHTS.items():
                tf = counts[name][term]
                if tf:
                    term_score += weight * tf * (_K1 + 1) / (tf + _K1)
                    hits[term] = max(hits.get(term, 0.0), weight * idf[term])
            score += idf[term] * term_score
        relevance = score / (max_idf_sum * sum(FIELD_WEIGHTS.values()) / 2)
        nudge = HISTORY_WEIGHT * usage.get(scenario.id, 0) / total_uses + RATING_WEIGHT * ratings.get(
            scenario.id, 0.0
        )
        final = relevance + (nudge if relevance > 0 else 0.0)
        # The most telling words first: those found in the name or tags, and rare across scenarios.
        matched_terms = sorted(hits, key=lambda t: -hits[t])[:4]
        reason = (f"Matches {', '.join(matched_terms)}" if matched_terms else "No words in common") + (
            " · you use it often" if usage.get(scenario.id, 0) >= 3 and relevance > 0 else ""
        )
        matches.append(Match(scenario=scenario, score=round(final, 4), reason=reason))
    matches.sort(key=lambda m: (-m.score, not m.scenario.is_default, m.scenario.name))
    return matches


class _Cache:
    """An LRU of rankings, keyed on the catalogue's fingerprint among the rest: a changed catalogue misses."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[tuple[object, ...], list[tuple[uuid.UUID, float, str]]] = OrderedDict()

    def get(self, key: tuple[object, ...]) -> list[tuple[uuid.UUID, float, str]] | None:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: tuple[object, ...], value: list[tuple[uuid.UUID, float, str]]) -> None:
        self._entries[key] = value
        while len(self._entries) > self._size:
            self._entries.popitem(last=False)


def fingerprint(scenarios: list[Scenario]) -> bytes:
    """Changes whenever a scenario is added, removed, hidden or edited (every edit moves `updated_at`)."""
    digest = hashlib.blake2b(digest_size=16)
    for scenario in sorted(scenarios, key=lambda s: s.id):
        digest.update(scenario.id.bytes)
        digest.update(scenario.updated_at.isoformat().encode())
    return digest.digest()


_cache = _Cache(CACHE_SIZE)


def normalise(text: str) -> str:
    return " ".join(text.lower().split())[:2000]


async def match(session: AsyncSession, user: User, text: str, limit: int = 5) -> tuple[list[Match], bool]:
    """The best scenarios for `text` and whether the answer fell back to the default scenario."""
    scenarios, _ = await repository.list_visible(
        session, user, search=None, category=None, favorites_only=False, offset=0, limit=1000
    )
    scenarios = [s for s in scenarios if s.is_enabled]
    by_id = {s.id: s for s in scenarios}
    key = (user.id, normalise(text), fingerprint(scenarios))
    cached = _cache.get(key)
    if cached is None:
        usage = await repository.usage_counts(session, user.id)
        ratings = await feedback_service.satisfaction_by_scenario(session, user.id)
        ranked = rank(text, scenarios, usage, ratings)
        cached = [(m.scenario.id, m.score, m.reason) for m in ranked]
        _cache.put(key, cached)
    results = [Match(by_id[sid], score, reason) for sid, score, reason in cached if sid in by_id]
    relevant = [m for m in results if m.score >= MIN_RELEVANT_SCORE]
    if relevant:
        return relevant[:limit], False
    default = next((s for s in scenarios if s.is_default), None)
    if default is None:
        return [], True
    return [Match(default, 0.0, "No scenario fits closely; the default one is a good start")], True


async def best_match(session: AsyncSession, user: User, text: str) -> Scenario | None:
    matches, _ = await match(session, user, text, limit=1)
    return matches[0].scenario if matches else None
