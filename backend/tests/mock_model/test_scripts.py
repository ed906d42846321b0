"""Rules, steps and placeholders of the script model."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from pydantic import ValidationError

from aigc.mock_model import Script, default_script
from aigc.mock_model.scripts import analyse, reply

from .helpers import body, user

CWD_REMINDER = (
    "<system-reminder>\n# Environment\n - Primary working directory: /srv/sessions/42\n - Platform: linux\n"
    "</system-reminder>"
)


def cli_user(text: str) -> dict:
    """A first user message shaped like the CLI's: environment reminder, then the text."""
    return {
        "role": "user",
        "content": [{"type": "text", "text": CWD_REMINDER}, {"type": "text", "text": text}],
    }


def tool_result(text: str) -> dict:
    return {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": "t1",
                "content": f"{text}\n\n<system-reminder>noise</system-reminder>",
            }
        ],
    }


def assistant(text: str) -> dict:
    return {"role": "assistant", "content": [{"type": "text", "text": text}]}


TWO_STEP = Script.model_validate(
    [
        {
            "user": "report",
            "steps": [
                {
                    "text": "Writing.",
                    "tool_use": {
                        "name": "Write",
                        "input": {"file_path": "{{cwd}}/r.md", "content": "# {{user_text}}"},
                    },
                },
                "Saved: {{tool_result}}",
            ],
            "closing": "All done at step {{step}}.",
        },
    ]
)


def test_step_counts_assistant_messages_after_last_real_user_message() -> None:
    history = [
        cli_user("old"),
        assistant("a"),
        cli_user("make a report"),
        assistant("b"),
        tool_result("ok"),
        assistant("c"),
        tool_result("ok"),
    ]
    conv = analyse(body(*history))
    assert conv.step == 2
    assert conv.user_text == "make a report"
    assert conv.tool_results == ["ok"]
    assert conv.cwd == "/srv/sessions/42"


def test_tool_steps_run_in_order_then_close() -> None:
    first = reply(TWO_STEP, analyse(body(cli_user("a report please"))))
    assert first[0] == {"type": "text", "text": "Writing."}
    assert first[1]["name"] == "Write"
    assert first[1]["input"] == {"file_path": "/srv/sessions/42/r.md", "content": "# a report please"}

    history = [
        cli_user("a report please"),
        {"role": "assistant", "content": first},
        tool_result("File created"),
    ]
    assert reply(TWO_STEP, analyse(body(*history))) == [{"type": "text", "text": "Saved: File created"}]

    history += [assistant("Saved"), tool_result("again")]
    assert reply(TWO_STEP, analyse(body(*history))) == [{"type": "text", "text": "All done at step 2."}]


def test_cwd_falls_back_to_relative_paths() -> None:
    blocks = reply(TWO_STEP, analyse(body(user("report"))))
    assert blocks[1]["input"]["file_path"] == "./r.md"


def test_first_matching_rule_wins_and_conditions_combine() -> None:
    script = Script.model_validate(
        {
            "rules": [
                {"name": "poster", "user": "slogan", "system": "SCENARIO=poster", "steps": ["poster slogan"]},
                {"name": "haiku", "user": "slogan", "model": "haiku", "steps": ["short slogan"]},
                {"name": "any", "user": "slogan", "steps": ["plain slogan"]},
            ]
        }
    )

    def text(**extra: object) -> str:
        return reply(script, analyse(body(user("A SLOGAN please"), **extra)))[0]["text"]

    assert text(system=[{"type": "text", "text": "You are... SCENARIO=poster"}]) == "poster slogan"
    assert text(model="claude-haiku-4-5") == "short slogan"
    assert text() == "plain slogan"


def test_regex_groups_become_placeholders() -> None:
    script = Script.model_validate(
        [
            {
                "user": r"read (?P<file>\S+)",
                "steps": [
                    {
                        "tool_uses": [
                            {
                                "name": "Read",
                                "input": {"file_path": "{{cwd}}/{{file}}", "n": 3, "raw": "{{1}}"},
                            }
                        ]
                    },
                ],
            }
        ]
    )
    blocks = reply(script, analyse(body(cli_user("please read notes.txt"))))
    assert blocks[0]["input"] == {"file_path": "/srv/sessions/42/notes.txt", "n": 3, "raw": "notes.txt"}


def test_side_requests_without_tools_never_call_tools() -> None:
    request = body(user("a report"))
    del request["tools"]
    assert reply(TWO_STEP, analyse(request)) == [{"type": "text", "text": "Writing."}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("帮我想一个标题", "你刚才说的是：“帮我想一个标题”"), ("hello there", 'You said: "hello there"')],
)
def test_default_reply_echoes_in_the_users_language(text: str, expected: str) -> None:
    blocks = reply(Script(), analyse(body(user(text))))
    assert expected in blocks[0]["text"]


def test_reminder_only_messages_are_not_user_text() -> None:
    conv = analyse(
        body(
            cli_user("first"),
            assistant("x"),
            {"role": "user", "content": "<system-reminder>later</system-reminder>"},
        )
    )
    assert conv.user_text == "first" and conv.step == 1


def test_script_loads_from_file_and_rejects_bad_rules(tmp_path: Path) -> None:
    path = tmp_path / "script.json"
    path.write_text(json.dumps([{"user": "x", "steps": ["y"]}]), encoding="utf-8")
    assert Script.load(path).rules[0].steps[0].text == "y"
    with pytest.raises(ValidationError):
        Script.model_validate({"rules": [{"steps": [{"tool_uses": [{"input": {}}]}]}]})


@pytest.mark.parametrize(
    ("text", "tool", "path"),
    [
        ("帮我写一份市场分析报告", "Write", "/srv/sessions/42/report.md"),
        ("write a report on Q3 sales", "Write", "/srv/sessions/42/report.md"),
        ("生成一个CSV表格", "Write", "/srv/sessions/42/data.csv"),
        ("列出当前的文件", "Glob", None),
        ("read notes.txt", "Read", "/srv/sessions/42/notes.txt"),
    ],
)
def test_demo_script_tools(text: str, tool: str, path: str | None) -> None:
    blocks = reply(default_script(), analyse(body(cli_user(text))))
    calls = [b for b in blocks if b["type"] == "tool_use"]
    assert [c["name"] for c in calls] == [tool]
    assert calls[0]["input"].get("file_path") == path


def test_demo_script_marketing_copy_is_text_only() -> None:
    blocks = reply(default_script(), analyse(body(cli_user("给新品咖啡写一句宣传口号"))))
    assert [b["type"] for b in blocks] == ["text"]
    assert "版本一" in blocks[0]["text"]


async def test_script_control_api(client: httpx.AsyncClient) -> None:
    put = await client.put("/_mock/script", json={"rules": [{"user": "ping", "steps": ["pong"]}]})
    assert put.json() == {"rules": 1}
    answer = await client.post("/v1/messages", json=body(user("ping")))
    assert answer.json()["content"][0]["text"] == "pong"
    assert (await client.get("/_mock/script")).json()["rules"][0]["user"] == "ping"
    assert (await client.put("/_mock/script", json={"rules": [{"steps": 3}]})).status_code == 400

    assert (await client.post("/_mock/reset")).status_code == 204
    demo = await client.post("/v1/messages", json=body(user("ping")))
    assert demo.json()["content"][0]["text"] != "pong"
