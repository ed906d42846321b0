"""The real Claude Agent SDK (bundled CLI) against the scripted model."""

from __future__ import annotations

from pathlib import Path

import pytest
from claude_agent_sdk import (
    AssistantMessage,
    ClaudeAgentOptions,
    ClaudeSDKError,
    ResultMessage,
    StreamEvent,
    TextBlock,
    ToolUseBlock,
    query,
)

from aigc.mock_model import MockModelServer


def options(model: MockModelServer, tmp_path: Path, **env: str) -> ClaudeAgentOptions:
    """Options the platform uses: local endpoint, confined tools, no inherited settings."""
    cwd = tmp_path / "session"
    cwd.mkdir()
    return ClaudeAgentOptions(
        cwd=cwd,
        model="claude-sonnet-4-5",
        tools=["Read", "Write", "Edit", "Glob", "Grep"],
        permission_mode="acceptEdits",
        setting_sources=[],
        include_partial_messages=True,
        env={
            "ANTHROPIC_BASE_URL": model.url,
            "ANTHROPIC_API_KEY": "test",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "CLAUDE_CONFIG_DIR": str(tmp_path / "config"),
            **env,
        },
    )


async def run(prompt: str, opts: ClaudeAgentOptions) -> list[object]:
    return [message async for message in query(prompt=prompt, options=opts)]


async def test_text_turn_streams_and_reports_usage(model: MockModelServer, tmp_path: Path) -> None:
    reply = "Fresh coffee, faster mornings. Try our new cold brew today!"
    model.set_script([{"user": "slogan", "system": "SCENARIO-MARKETING", "steps": [reply]}])
    opts = options(model, tmp_path)
    opts.system_prompt = "SCENARIO-MARKETING: write short copy."

    messages = await run("Give me a slogan for cold brew", opts)

    deltas = [
        m.event["delta"]["text"]
        for m in messages
        if isinstance(m, StreamEvent) and m.event["type"] == "content_block_delta"
    ]
    assert len(deltas) > 1 and "".join(deltas) == reply
    texts = [
        b.text
        for m in messages
        if isinstance(m, AssistantMessage)
        for b in m.content
        if isinstance(b, TextBlock)
    ]
    assert texts == [reply]
    result = messages[-1]
    assert isinstance(result, ResultMessage) and not result.is_error
    assert result.usage is not None and result.usage["input_tokens"] > 0 and result.usage["output_tokens"] > 0
    sent = model.requests()[0]
    assert "SCENARIO-MARKETING" in str(sent["system"])
    assert sent["model"] == "claude-sonnet-4-5"


async def test_write_tool_turn_creates_the_file_in_cwd(model: MockModelServer, tmp_path: Path) -> None:
    opts = options(model, tmp_path)

    messages = await run("帮我写一份新品上市报告", opts)  # handled by the shipped demo script

    report = Path(opts.cwd) / "report.md"
    assert report.is_file()
    assert "帮我写一份新品上市报告" in report.read_text(encoding="utf-8")
    calls = [
        b
        for m in messages
        if isinstance(m, AssistantMessage)
        for b in m.content
        if isinstance(b, ToolUseBlock)
    ]
    assert [c.name for c in calls] == ["Write"]
    result = messages[-1]
    assert isinstance(result, ResultMessage) and result.num_turns == 2 and not result.is_error
    # The second request carries the tool result, so the script moved on to its closing step.
    assert len(model.requests()) == 2
    assert "report.md" in result.result


async def test_marker_fault_reaches_the_sdk_as_an_error(model: MockModelServer, tmp_path: Path) -> None:
    opts = options(model, tmp_path, CLAUDE_CODE_MAX_RETRIES="1")

    messages: list[object] = []
    with pytest.raises(ClaudeSDKError, match="Invalid API key"):  # query() raises after the error result
        async for message in query(prompt="hello [[fault:401]]", options=opts):
            messages.append(message)

    errors = [m.error for m in messages if isinstance(m, AssistantMessage)]
    assert errors == ["authentication_failed"]
    results = [m for m in messages if isinstance(m, ResultMessage)]
    assert len(results) == 1 and results[0].is_error
    # One attempt plus the one retry allowed: the marker fails the resent conversation as well.
    assert len(model.requests()) == 2
