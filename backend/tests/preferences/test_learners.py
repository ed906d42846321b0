"""The statistical learner's rules and the validation of the model learner's replies."""

from __future__ import annotations

import json
import uuid

import pytest

from aigc.preferences.learner import learn_statistically
from aigc.preferences.model_learner import InvalidModelReply, parse_reply
from aigc.preferences.samples import FeedbackSample

LONG = "This answer goes on and on about many things. " * 30
LISTED = "- first point\n- second point\n- third point"


def sample(
    rating: str,
    tags: tuple[str, ...] = (),
    comment: str = "",
    answer: str = LISTED,
    scenario: uuid.UUID | None = None,
) -> FeedbackSample:
    return FeedbackSample(uuid.uuid4(), rating, None, tags, comment, scenario, answer)


def test_concise_from_tags_comments_and_lengths() -> None:
    samples = [
        sample("down", ("too_long",), answer=LONG),
        sample("down", (), "太长了，请简洁一点", answer=LONG),
        sample("down", answer=LONG),
        sample("up"),
        sample("up"),
        sample("up"),
    ]
    profile = learn_statistically(samples)
    concise = next(i for i in profile.items if i.key == "concise")
    assert "concise" in concise.instruction and concise.instruction_zh
    assert set(concise.evidence) >= {samples[0].id, samples[1].id}
    assert 0.4 < concise.confidence <= 0.95
    assert "concise" in profile.summary


def test_emoji_and_lists() -> None:
    samples = [
        sample("down", answer="Great 😀 idea 🎉"),
        sample("down", comment="no emoji please", answer="ok 👍"),
        sample("up"),
        sample("up", comment="清晰的要点很好"),
    ]
    keys = {i.key for i in learn_statistically(samples).items}
    assert {"no_emoji", "lists"} <= keys


def test_contradictory_evidence_keeps_the_stronger_side() -> None:
    samples = [
        sample("down", ("too_long",)),
        sample("down", ("too_long",)),
        sample("down", ("too_long",)),
        sample("down", ("too_short",)),
        sample("down", ("too_short",)),
    ]
    keys = {i.key for i in learn_statistically(samples).items}
    assert "concise" in keys and "detailed" not in keys


def test_a_single_rating_teaches_nothing() -> None:
    assert learn_statistically([sample("down", ("too_long",), answer=LONG)]).items == []


def test_scope_narrows_to_one_scenario() -> None:
    report, chat = uuid.uuid4(), uuid.uuid4()
    samples = [sample("down", ("wrong_format",), scenario=report) for _ in range(3)] + [
        sample("up", scenario=chat)
    ]
    item = next(i for i in learn_statistically(samples).items if i.key == "format")
    assert item.scope == str(report)


def test_model_reply_is_validated_against_the_ratings() -> None:
    scenario = uuid.uuid4()
    samples = [
        sample("down", ("too_long",), scenario=scenario),
        sample("down", ("too_long",), scenario=scenario),
    ]
    ids = [str(s.id) for s in samples]
    good = {
        "items": [
            {
                "instruction": "Prefers concise answers",
                "instruction_zh": "偏好简洁",
                "scope": str(scenario),
                "confidence": 0.8,
                "evidence": ids,
            }
        ],
        "summary": "Likes it short.",
    }
    profile = parse_reply("Here you go:\n" + json.dumps(good), samples)
    assert (
        profile.learner == "model"
        and profile.items[0].scope == str(scenario)
        and profile.summary == "Likes it short."
    )

    for bad in (
        "I think the user likes short answers.",
        json.dumps({"items": [{**good["items"][0], "evidence": [str(uuid.uuid4())]}]}),
        json.dumps({"items": [{**good["items"][0], "scope": str(uuid.uuid4())}]}),
        json.dumps({"items": [{**good["items"][0], "confidence": 3}]}),
        json.dumps({"items": [good["items"][0]] * 9}),
    ):
        with pytest.raises(InvalidModelReply):
            parse_reply(bad, samples)
