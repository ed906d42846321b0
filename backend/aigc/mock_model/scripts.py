"""The script model: rules matched against a request, and the reply each rule gives at each step.

A script file is JSON, `{"rules": [...]}` or a bare list of rules; the first matching rule answers:

    {"name": "report", "user": "write .*report", "system": "SCENARIO-X", "model": "sonnet",
     "steps": [{"text": "Writing.", "tool_uses": [{"name": "Write",
                "input": {"file_path": "{{cwd}}/report.md", "content": "# {{summary}}"}}]},
               "Saved: {{tool_result}}"],
     "closing": "Done."}

`user` is a case-insensitive regex on the latest real user text, `system` a substring of the system
prompt, `model` a regex on the model id; all given conditions must hold. Step N answers the request
that has N assistant messages after the user's text; a bare string is a text-only step. Placeholders:
{{user_text}} {{summary}} {{cwd}} {{model}} {{step}} {{tool_result}} {{date}} {{datetime}}, {{images}} (the
image blocks of the latest user message: media type, bytes, sha256 prefix; "none") and {{image_count}},
plus the user regex's groups ({{1}}, {{name}}).
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, model_validator

from aigc.mock_model.faults import strip_markers
from aigc.mock_model.sse import Block, new_tool_use_id

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_REMINDER = re.compile(r"<system-reminder>.*?</system-reminder>", re.DOTALL)
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")
# The CLI states the session directory in a <system-reminder> of the first user message (and a custom
# system prompt may state it too); it is where a scripted Write must land.
_CWD_PATTERNS = (
    re.compile(r"Primary working directory:\s*(\S[^\n]*)"),
    re.compile(r"Working directory:\s*(\S[^\n]*)"),
)


class ToolUse(BaseModel):
    """One tool call of a step."""

    name: str
    input: dict[str, Any] = Field(default_factory=dict)


class Step(BaseModel):
    """One assistant reply: optional text followed by optional tool calls."""

    text: str | None = None
    tool_uses: list[ToolUse] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        # A bare string is a text-only step; a single `tool_use` object is accepted for brevity.
        if isinstance(value, str):
            return {"text": value}
        if isinstance(value, dict) and "tool_use" in value:
            value = {**value, "tool_uses": [value["tool_use"]]}
            value.pop("tool_use")
        return value


class Rule(BaseModel):
    """Match conditions (all given ones must hold) and the steps of the reply."""

    name: str = ""
    user: str | None = None  # regex searched in the latest real user text, case-insensitive
    system: str | None = None  # substring of the system prompt
    model: str | None = None  # regex searched in the requested model id
    steps: list[Step] = Field(default_factory=list)
    closing: str | None = None  # text once the steps run out; a short default otherwise

    def match(self, conv: Conversation) -> dict[str, str] | None:
        """The user regex's groups (as placeholders `{{1}}`, `{{name}}`) if the rule applies, else None."""
        groups: dict[str, str] = {}
        if self.user is not None:
            found = re.search(self.user, conv.user_text, re.IGNORECASE | re.DOTALL)
            if found is None:
                return None
            groups = {str(i): g or "" for i, g in enumerate(found.groups(), start=1)}
            groups.update({k: v or "" for k, v in found.groupdict().items()})
        if self.system is not None and self.system not in conv.system:
            return None
        if self.model is not None and re.search(self.model, conv.model) is None:
            return None
        return groups


class Script(BaseModel):
    """An ordered list of rules; the first match wins."""

    rules: list[Rule] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _bare_list(cls, value: Any) -> Any:
        return {"rules": value} if isinstance(value, list) else value

    @classmethod
    def load(cls, path: str | Path) -> Script:
        """Read a script from a JSON file (an object with `rules`, or a bare list of rules)."""
        return cls.model_validate(json.loads(Path(path).read_text(encoding="utf-8")))

    def find(self, conv: Conversation) -> tuple[Rule, dict[str, str]] | None:
        """The first rule matching the conversation, with its regex groups."""
        for rule in self.rules:
            if (groups := rule.match(conv)) is not None:
                return rule, groups
        return None


@dataclass
class Conversation:
    """What a rule can look at in one Messages request."""

    model: str = ""
    system: str = ""
    context: str = ""  # system prompt plus every user text, reminders kept: where the CLI states the cwd
    user_text: str = ""  # latest real user text, reminders and fault markers removed
    raw_user_text: str = ""  # the same text with fault markers kept
    step: int = 0
    tool_results: list[str] = field(default_factory=list)
    has_tools: bool = False
    max_tokens: int = 0
    images: list[str] = field(default_factory=list)  # image blocks of the latest real user message

    @property
    def chinese(self) -> bool:
        """Whether the user wrote Chinese."""
        return bool(_CJK.search(self.user_text))

    @property
    def cwd(self) -> str | None:
        """The working directory announced in the system prompt, if any."""
        for pattern in _CWD_PATTERNS:
            if found := pattern.search(self.context):
                return found.group(1).strip()
        return None

    @property
    def summary(self) -> str:
        """The user's text shortened to one line."""
        line = " ".join(self.user_text.split())
        limit = 30 if self.chinese else 80
        return line if len(line) <= limit else line[:limit] + "…"


def _text_of(content: Any, *, keep_reminders: bool = False) -> str:
    """Concatenated text blocks of a message content."""
    if isinstance(content, str):
        parts = [content]
    else:
        parts = [b.get("text", "") for b in content or [] if isinstance(b, dict) and b.get("type") == "text"]
    text = "\n".join(parts)
    return text if keep_reminders else _REMINDER.sub("", text).strip()


def _is_real_user(message: dict[str, Any]) -> bool:
    """A user message that carries the person's words, not only tool results or CLI reminders."""
    if message.get("role") != "user":
        return False
    content = message.get("content")
    if isinstance(content, list) and any(
        isinstance(b, dict) and b.get("type") == "tool_result" for b in content
    ):
        return False
    return bool(_text_of(content))


def _tool_result_text(block: dict[str, Any]) -> str:
    content = block.get("content")
    # The CLI appends <system-reminder>s to tool results; they are noise in a scripted reply.
    return _REMINDER.sub("", content).strip() if isinstance(content, str) else _text_of(content)


def analyse(body: dict[str, Any]) -> Conversation:
    """Extract the user text, step and context a rule needs from a request body."""
    messages = [m for m in body.get("messages") or [] if isinstance(m, dict)]
    system = body.get("system") or ""
    system = system if isinstance(system, str) else _text_of(system, keep_reminders=True)
    user_texts = [
        _text_of(m.get("content"), keep_reminders=True) for m in messages if m.get("role") == "user"
    ]
    last_real = max((i for i, m in enumerate(messages) if _is_real_user(m)), default=-1)
    raw = _text_of(messages[last_real]["content"]) if last_real >= 0 else ""
    last_content = messages[-1].get("content") if messages else None
    results = [
        _tool_result_text(b)
        for b in (last_content if isinstance(last_content, list) else [])
        if isinstance(b, dict) and b.get("type") == "tool_result"
    ]
    return Conversation(
        model=str(body.get("model") or ""),
        system=system,
        context="\n".join([system, *user_texts]),
        user_text=strip_markers(raw),
        raw_user_text=raw,
        step=sum(1 for m in messages[last_real + 1 :] if m.get("role") == "assistant"),
        tool_results=results,
        has_tools=bool(body.get("tools")),
        max_tokens=int(body.get("max_tokens") or 0),
        images=_images_of(messages[last_real]["content"]) if last_real >= 0 else [],
    )


def _images_of(content: Any) -> list[str]:
    """Each image block as `media/type N bytes sha256:abcdef123456`, so a script can say what it was shown."""
    found = []
    for block in content if isinstance(content, list) else []:
        source = block.get("source") if isinstance(block, dict) and block.get("type") == "image" else None
        if not isinstance(source, dict):
            continue
        try:
            data = base64.b64decode(source.get("data") or "", validate=True)
        except ValueError:
            data = b""
        digest = hashlib.sha256(data).hexdigest()[:12]
        found.append(f"{source.get('media_type')} {len(data)} bytes sha256:{digest}")
    return found


def placeholders(conv: Conversation) -> dict[str, str]:
    """Values for `{{name}}` placeholders in rule texts and tool inputs."""
    now = dt.datetime.now()
    return {
        "user_text": conv.user_text,
        "summary": conv.summary,
        "cwd": conv.cwd or ".",
        "model": conv.model,
        "step": str(conv.step),
        "tool_result": "\n".join(conv.tool_results)[:4000],
        "date": now.strftime("%Y-%m-%d"),
        "datetime": now.strftime("%Y-%m-%d %H:%M"),
        "images": ", ".join(conv.images) or "none",
        "image_count": str(len(conv.images)),
    }


def render(value: Any, values: dict[str, str]) -> Any:
    """Substitute placeholders in every string inside `value`; unknown names are left as written."""
    if isinstance(value, str):
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [render(v, values) for v in value]
    if isinstance(value, dict):
        return {k: render(v, values) for k, v in value.items()}
    return value


def default_text(conv: Conversation) -> str:
    """The friendly reply given when no rule matches."""
    if conv.chinese:
        return (
            f"你好！我是离线演示模型。你刚才说的是：“{conv.summary}”。"
            "当前没有配置真实的模型密钥，所以我按照预设脚本回复；"
            "配置 API Key 后，这里会由 Claude 给出真正的回答。"
        )
    return (
        f'Hello! I am the offline demo model. You said: "{conv.summary}". '
        "No real model key is configured, so I answer from a script; with an API key Claude would reply here."
    )


def closing_text(conv: Conversation) -> str:
    """What a rule says once its steps are used up."""
    return "已完成。" if conv.chinese else "Done."


def reply(script: Script, conv: Conversation) -> list[Block]:
    """The content blocks of the assistant reply for this request."""
    if conv.max_tokens and conv.max_tokens <= 8:
        return [{"type": "text", "text": "OK"}]  # quota probes ask for a single token
    found = script.find(conv)
    if found is None:
        return [{"type": "text", "text": default_text(conv)}]
    rule, groups = found
    values = {**placeholders(conv), **groups}
    step = rule.steps[conv.step] if conv.step < len(rule.steps) else None
    blocks: list[Block] = []
    if step is not None and step.text:
        blocks.append({"type": "text", "text": render(step.text, values)})
    # Side requests (titles, summaries) carry no tools; calling a tool there would confuse the CLI.
    if step is not None and conv.has_tools:
        blocks += [
            {"type": "tool_use", "id": new_tool_use_id(), "name": t.name, "input": render(t.input, values)}
            for t in step.tool_uses
        ]
    if not blocks:
        text = render(rule.closing, values) if rule.closing else closing_text(conv)
        blocks.append({"type": "text", "text": text})
    return blocks
