"""Translating SDK messages into platform events, without a CLI."""

from __future__ import annotations

import pytest
from claude_agent_sdk import AssistantMessage, ResultMessage, StreamEvent, SystemMessage, TextBlock
from pydantic import ValidationError

from aigc.agent.events import Done, Error, PermissionDenied, TextReset, Usage
from aigc.agent.runner import Translator, outcome_of


def stream(event: dict) -> StreamEvent:  # type: ignore[type-arg]
    return StreamEvent(uuid="u", session_id="sdk-1", event=event)


def delta(text: str) -> StreamEvent:
    return stream({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}})


def shown(events: list) -> str:  # type: ignore[type-arg]
    text = ""
    for event in events:
        data = event.to_dict()
        text = (
            data["text"]
            if event.type == "text_reset"
            else text + data["text"]
            if event.type == "text_delta"
            else text
        )
    return text


def test_api_retry_withdraws_partial_text_and_keeps_completed_text() -> None:
    t = Translator()
    out = (
        t.feed(stream({"type": "message_start"}))
        + t.feed(delta("Hello "))
        + t.feed(AssistantMessage(content=[TextBlock("Hello ")], model="m"))
    )
    out += t.feed(stream({"type": "message_start"})) + t.feed(delta("Wor"))
    out += t.feed(SystemMessage(subtype="api_retry", data={}))
    assert out[-1] == TextReset(text="Hello ", reason="api_retry")
    out += (
        t.feed(stream({"type": "message_start"}))
        + t.feed(delta("World"))
        + t.feed(AssistantMessage(content=[TextBlock("World")], model="m"))
    )
    assert shown(out) == "Hello World"


def test_message_start_after_broken_stream_resets_and_first_start_does_not() -> None:
    t = Translator()
    assert t.feed(stream({"type": "message_start"})) == []
    t.feed(delta("par"))
    assert t.feed(stream({"type": "message_start"})) == [TextReset(text="", reason="message_start")]


def test_block_delivered_without_stream_corrects_the_text() -> None:
    t = Translator()
    out = t.feed(delta("Par")) + t.feed(AssistantMessage(content=[TextBlock("Paris.")], model="m"))
    assert out[-1] == TextReset(text="Paris.", reason="message_complete")
    assert shown(out) == "Paris."


def test_result_maps_to_usage_and_outcome() -> None:
    result = ResultMessage(
        subtype="success",
        duration_ms=120,
        duration_api_ms=100,
        is_error=False,
        num_turns=2,
        session_id="sdk-1",
        total_cost_usd=0.01,
        usage={"input_tokens": 10, "output_tokens": 5, "cache_read_input_tokens": 3},
        model_usage={"claude-sonnet-4-5": {}},  # type: ignore[dict-item]
    )
    t = Translator()
    events = t.feed(result)
    assert events == [
        Usage(
            input_tokens=10,
            output_tokens=5,
            cache_read_tokens=3,
            cost_usd=0.01,
            duration_ms=120,
            num_turns=2,
            sdk_session_id="sdk-1",
            model="claude-sonnet-4-5",
        )
    ]
    assert t.outcome is not None and t.outcome.status == "ok" and t.outcome.keep_process
    assert Done(status="ok", sdk_session_id="sdk-1").to_dict() == {
        "type": "done",
        "status": "ok",
        "message_id": None,
        "error": None,
        "sdk_session_id": "sdk-1",
    }


def test_error_results_are_typed() -> None:
    def result(**kw: object) -> ResultMessage:
        base = dict(
            subtype="success", duration_ms=1, duration_api_ms=1, is_error=True, num_turns=1, session_id="s"
        )
        return ResultMessage(**{**base, **kw})  # type: ignore[arg-type]

    assert outcome_of(result(api_error_status=401), False, None).error.kind == "auth_error"  # type: ignore[union-attr]
    assert outcome_of(result(api_error_status=429), False, None).error.kind == "rate_limited"  # type: ignore[union-attr]
    overloaded = outcome_of(result(api_error_status=529), False, None)
    assert overloaded.error.kind == "model_error" and not overloaded.keep_process  # type: ignore[union-attr]
    assert outcome_of(result(subtype="error_max_turns"), False, None).error.kind == "max_turns"  # type: ignore[union-attr]
    budget = outcome_of(result(subtype="error_max_budget_usd"), False, None)
    assert budget.error.kind == "budget_exceeded" and budget.keep_process  # type: ignore[union-attr]
    assert outcome_of(result(), True, None).status == "stopped"


def test_server_only_fields_are_neither_sent_nor_published() -> None:
    """The SDK session id, the CLI's raw denials and an endpoint's own words stay on the server."""
    usage = Usage(
        output_tokens=5,
        sdk_session_id="sdk-1",
        permission_denials=[{"tool_name": "Bash", "tool_input": {"command": "cat /srv/data/u1/s1/x"}}],
    )
    error = Error(kind="model_error", message="The model service failed.", detail="upstream said: 529")
    done = Done(status="ok", sdk_session_id="sdk-1")
    assert "sdk_session_id" not in usage.model_dump_json() and "/srv" not in usage.model_dump_json()
    assert error.model_dump(mode="json") == {
        "type": "error",
        "kind": "model_error",
        "message": "The model service failed.",
        "retryable": True,
    }
    assert done.model_dump(mode="json") == {"type": "done", "status": "ok", "message_id": None, "error": None}
    for model in (Usage, Error, Done):
        published = model.model_json_schema(mode="serialization")["properties"]
        assert {"sdk_session_id", "permission_denials", "detail"}.isdisjoint(published), model


def test_events_refuse_unknown_fields_and_kinds() -> None:
    """What the wire contract does not declare cannot be built, so it cannot be sent unnoticed."""
    with pytest.raises(ValidationError):
        PermissionDenied(tool_use_id="t", tool_name="Bash", reason="no", path="/srv")  # type: ignore[call-arg]  # the unknown field is the point
    with pytest.raises(ValidationError):
        Error(kind="no_such_kind", message="?")  # type: ignore[arg-type]  # the unknown kind is the point
