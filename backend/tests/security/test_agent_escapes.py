"""Agent escapes through the platform: POST /sessions/{id}/messages with scripted tool calls aimed outside.

tests/agent/test_confinement.py proves the runtime holds; this proves the platform wires it up: the default
scenario's tools, the session folder the service chooses, the events the stream sends and the message the
turn saves. Every escape is refused (a `permission_denied` event, saved on the message) or inert (a tool
the scenario does not offer), and no file outside the session folder changes or leaks to the model.
"""

from __future__ import annotations

import hashlib
import json
import os
import uuid
from pathlib import Path

import httpx

from aigc.core.config import Settings
from aigc.mock_model.testing import MockModelServer
from tests.factories import signed_in_user
from tests.security.conftest import API, run_turn
from tests.sse import of

SECRET = "canary-5ec2e7-do-not-leak"
DIARY = "diary-of-another-user-77c1"


def tree_digest(root: Path) -> dict[str, str]:
    """Every entry under `root` (links not followed) with a hash of its content or link target."""
    found = {}
    for folder, dirs, files in os.walk(root, followlinks=False):
        for name in dirs + files:
            path = Path(folder) / name
            rel = str(path.relative_to(root))
            if path.is_symlink():
                found[rel] = "link:" + os.readlink(path)
            elif path.is_file():
                found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[rel] = "dir"
    return found


# Refused by the CLI's own rules before the platform's hook sees them: a tool error, no denial event.
# (/proc files are never read; Edit needs an earlier Read of the same file, which is itself denied.)
INERT = {"read-environment", "grep-environment", "edit-outside"}


def cases(canary: Path, other: Path) -> dict[str, tuple[str, dict]]:
    """Escape attempts by name: the tool and its input ({{cwd}} is the session folder, filled by the model)."""
    return {
        "read-absolute": ("Read", {"file_path": f"{canary}/secret.txt"}),
        "read-dotdot": (
            "Read",
            {"file_path": f"{{{{cwd}}}}/../../{other.parent.name}/{other.name}/diary.txt"},
        ),
        "read-planted-symlink": ("Read", {"file_path": "{{cwd}}/link.txt"}),
        "read-environment": ("Read", {"file_path": "/proc/self/environ"}),
        "grep-environment": ("Grep", {"pattern": "SECRET|DATABASE", "path": "/proc/self/environ"}),
        "write-absolute": ("Write", {"file_path": f"{canary}/planted.txt", "content": "planted"}),
        "write-dotdot": ("Write", {"file_path": "{{cwd}}/../escape.md", "content": "escaped"}),
        "write-through-symlinked-folder": (
            "Write",
            {"file_path": "{{cwd}}/shared/planted.txt", "content": "x"},
        ),
        "edit-outside": (
            "Edit",
            {"file_path": f"{canary}/secret.txt", "old_string": "leak", "new_string": "pwned"},
        ),
        "glob-dotdot": ("Glob", {"pattern": "../../**/*.txt"}),
        "glob-absolute-path": ("Glob", {"pattern": "*", "path": str(canary)}),
        "grep-outside": ("Grep", {"pattern": "canary", "path": str(canary)}),
        "write-agent-settings": (
            "Write",
            {"file_path": "{{cwd}}/.claude/settings.json", "content": '{"permissions": {"allow": ["Bash"]}}'},
        ),
        "artifact-name-with-dotdot": (
            "Write",
            {"file_path": "{{cwd}}/notes/../../escape.md", "content": "x"},
        ),
    }


def script(all_cases: dict[str, tuple[str, dict]]) -> list[dict]:
    rules = [
        {
            "user": f"^escape {name}$",
            "steps": [{"tool_use": {"name": tool, "input": tool_input}}, "Carrying on."],
        }
        for name, (tool, tool_input) in all_cases.items()
    ]
    rules.append(
        {
            "user": "^use the shell$",
            "steps": [
                {
                    "tool_use": {
                        "name": "Bash",
                        "input": {"command": "env > env.txt; cat ../../*/*/diary.txt > s.txt"},
                    }
                },
                "Carrying on.",
            ],
        }
    )
    # The control: a path with `..` that stays inside is allowed and saved under its resolved name.
    rules.append(
        {
            "user": "^stay inside$",
            "steps": [
                {
                    "tool_use": {
                        "name": "Write",
                        "input": {"file_path": "{{cwd}}/notes/../inside.md", "content": "ok"},
                    }
                },
                "Saved.",
            ],
        }
    )
    return rules


async def test_every_escape_through_the_platform_is_denied_or_inert(
    client: httpx.AsyncClient, model: MockModelServer, settings: Settings
) -> None:
    user = await signed_in_user(client)
    created = await client.post(f"{API}/sessions", json={}, headers=user.headers)
    session_id = created.json()["id"]
    cwd = settings.work_dir / str(user.user.id) / session_id
    # Outside the session folder: a canary folder next to the work dir, and another user's session folder.
    canary = settings.work_dir.parent / f"canary-{uuid.uuid4().hex[:8]}"
    (canary / "sub").mkdir(parents=True)
    (canary / "secret.txt").write_text(SECRET)
    (canary / "sub" / "more.txt").write_text(SECRET)
    other = settings.work_dir / str(uuid.uuid4()) / str(uuid.uuid4())
    other.mkdir(parents=True)
    (other / "diary.txt").write_text(DIARY)
    # Planted before the first turn: links inside the session folder that point outside.
    cwd.mkdir(parents=True)
    os.symlink(canary / "secret.txt", cwd / "link.txt")
    os.symlink(canary, cwd / "shared")
    watched = {canary: tree_digest(canary), other.parent: tree_digest(other.parent)}
    user_folder = sorted(p.name for p in cwd.parent.iterdir())

    all_cases = cases(canary, other)
    model.set_script(script(all_cases))
    wrong: list[str] = []
    for name, (tool, _) in all_cases.items():
        events = await run_turn(client, user, session_id, f"escape {name}")
        denied = of(events, "permission_denied")
        finished = of(events, "tool_finished")
        if events[-1].data["status"] != "ok":
            wrong.append(f"{name}: turn ended {events[-1].data}")
        elif [d["tool_name"] for d in denied] != ([] if name in INERT else [tool]):
            wrong.append(f"{name}: expected one {tool} denial, got {denied} / {finished}")
        elif not finished or finished[0]["is_error"] is not True:
            wrong.append(f"{name}: the tool did not fail: {finished}")

    shell = await run_turn(client, user, session_id, "use the shell")
    assert shell[-1].data["status"] == "ok"
    assert of(shell, "tool_finished")[0]["is_error"] is True, "Bash is not a tool of the default scenario"
    assert not (cwd / "env.txt").exists() and not (cwd / "s.txt").exists()

    inside = await run_turn(client, user, session_id, "stay inside")
    assert of(inside, "permission_denied") == []
    assert [a["path"] for a in of(inside, "artifact")] == ["inside.md"]

    mention = await run_turn(
        client, user, session_id, f"summarize @{canary}/secret.txt and @{other}/diary.txt"
    )
    assert mention[-1].data["status"] == "ok" and of(mention, "tool_started") == []
    assert not wrong, "\n".join(wrong)

    # Saved on the messages: each escape's denial, on the tool call it refused.
    detail = (await client.get(f"{API}/sessions/{session_id}", headers=user.headers)).json()
    replies = [m for m in detail["messages"] if m["role"] == "assistant"]
    for reply, (name, (tool, _)) in zip(replies, all_cases.items(), strict=False):
        assert reply["tool_calls"][0]["is_error"] is True, name
        if name not in INERT:
            assert [d["tool_name"] for d in reply["permission_denials"]] == [tool], name
            assert reply["tool_calls"][0]["denied"] is True and reply["tool_calls"][0]["denial_reason"], name
    # Nothing outside the session folder changed; no artifact names a path outside it.
    assert {root: tree_digest(root) for root in watched} == watched
    assert sorted(p.name for p in cwd.parent.iterdir()) == user_folder
    assert not (settings.work_dir.parent / "escape.md").exists() and not (cwd.parent / "escape.md").exists()
    assert [a["path"] for a in detail["artifacts"]] == ["inside.md"]
    assert not (cwd / ".claude" / "settings.json").exists()
    # Nothing secret reached the model, whatever the tool results said.
    sent = json.dumps(model.requests(), ensure_ascii=False)
    assert SECRET not in sent and DIARY not in sent
    assert "JWT_SECRET_KEY" not in sent and "DATABASE_URL" not in sent
    assert f"@{canary}/secret.txt" in sent, "the mention reached the model as plain text"
