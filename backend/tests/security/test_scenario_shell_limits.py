"""A scenario's own shell limits reach its commands: through the admin API, the turn plan and the runtime."""

from __future__ import annotations

import httpx

from aigc.core.config import Settings
from aigc.mock_model.testing import MockModelServer
from aigc.users.models import Role
from tests.factories import create_scenario_via_api, signed_in_user
from tests.security.conftest import API, run_turn

# 300 MB: far under the server's memory limit (AGENT_SHELL_MEMORY_MB, 1024 by default), far over 128 MB.
ALLOCATE = 'python3 -c "b = bytearray(300 * 2**20); print(len(b))" > mem.txt 2>&1; echo rc=$? >> mem.txt'


async def test_a_scenarios_lower_memory_limit_is_what_its_commands_get(
    client: httpx.AsyncClient, model: MockModelServer, settings: Settings
) -> None:
    assert settings.agent_shell_memory_mb >= 512, "the server's own limit must allow the allocation"
    admin = await signed_in_user(client, role=Role.admin)
    model.set_script(
        [
            {
                "user": "^allocate$",
                "steps": [{"tool_use": {"name": "Bash", "input": {"command": ALLOCATE}}}, "Done."],
            }
        ]
    )
    seen = {}
    for name, limits in (("tight", {"memory_mb": 128}), ("server", {})):
        scenario = await create_scenario_via_api(
            client, admin, name=f"Shell {name}", tools=["Read", "Bash"], shell_limits=limits
        )
        created = await client.post(
            f"{API}/sessions", json={"scenario_id": scenario["id"]}, headers=admin.headers
        )
        assert created.status_code == 201, created.text
        events = await run_turn(client, admin, created.json()["id"], "allocate")
        assert events[-1].data["status"] == "ok", events
        cwd = settings.work_dir / str(admin.user.id) / created.json()["id"]
        seen[name] = (cwd / "mem.txt").read_text()
    assert str(300 * 2**20) in seen["server"] and "rc=0" in seen["server"], seen
    assert str(300 * 2**20) not in seen["tight"] and "rc=0" not in seen["tight"], seen
