"""Adversarial shell commands (real CLI, Bash driven by the scripted model) inside the platform's sandbox.

Each case checks that its command really ran (a file it wrote in the session folder) and that what it
reached for stayed out of reach. No case may leave a process behind.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import socket
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest

from aigc.agent import AgentRuntime, TurnRequest
from aigc.agent.sandbox import ShellLimits
from aigc.mock_model.testing import MockModelServer
from tests.security.shell_sandbox import (
    BASH,
    agent_record,
    cgroups_in_force,
    make_config,
    processes_with,
    run_commands,
    wait_until_gone,
)

CANARY = "canary-" + secrets.token_hex(6)
AS_ROOT = os.geteuid() == 0


def hidden(text: str) -> str:
    """The canary as shell text that never spells it out (so it cannot leak through a command line)."""
    return f'"{text[:5]}""{text[5:]}"'


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deployment with a secret beside it, a SQLite database outside its data folder and a second one."""
    base = tmp_path_factory.mktemp("shell-sandbox")
    (base / "outside").mkdir()
    (base / "outside" / "secret.txt").write_text(CANARY)
    (base / "var-lib").mkdir()
    with sqlite3.connect(base / "var-lib" / "aigc.db") as db:
        db.execute("create table messages (content text)")
        db.execute("insert into messages values (?)", (f"a user's message {CANARY}",))
    other = base / "other-deployment" / "work_dir" / "user-9" / "session-9"
    other.mkdir(parents=True)
    (other / "notes.md").write_text(f"another deployment's user: {CANARY}")
    return base


@pytest.fixture(scope="module")
async def runtime(root: Path, model_server: MockModelServer) -> AsyncIterator[AgentRuntime]:
    config = make_config(root, model_server)
    config = replace(config, sandbox_deny_read=(*config.sandbox_deny_read, root / "var-lib" / "aigc.db"))
    rt = AgentRuntime(config)
    yield rt
    await rt.shutdown()


@pytest.fixture
def cwd(root: Path, request: pytest.FixtureRequest) -> Path:
    folder = root / "work" / "user-1" / request.node.name.replace("[", "-").replace("]", "")
    folder.mkdir(parents=True)
    return folder


async def test_nothing_outside_the_session_folder_is_readable(
    runtime: AgentRuntime, model: MockModelServer, root: Path, cwd: Path
) -> None:
    other = root / "other-deployment"
    turn = await run_commands(
        runtime,
        model,
        cwd,
        [
            f"cat {root}/outside/secret.txt > secret.txt 2>&1",
            f"strings {root}/var-lib/aigc.db > db.txt 2>&1",
            f"grep -rs {hidden(CANARY)} {other} / --exclude-dir=proc --exclude-dir=sys --exclude-dir=usr"
            " > grep.txt",
            f"ls -la {root} {root / 'data'} {root / 'data' / 'agent'} > ls.txt 2>&1",
            "echo mine > mine.txt; cat mine.txt > ran.txt; cat /etc/shadow > shadow.txt 2>&1; ls /etc > etc.txt",
        ],
    )
    assert turn.status == "ok", turn.events
    assert turn.file("ran.txt") == "mine\n", "the commands ran, in the session folder"
    for name in ("secret.txt", "db.txt", "grep.txt", "ls.txt", "shadow.txt"):
        assert CANARY not in turn.file(name), name
    assert "No such file" in turn.file("secret.txt")
    assert "shadow" not in turn.file("etc.txt").split()
    assert "passwd" in turn.file("etc.txt").split(), "what a shell needs is there"
    sent = "".join(str(body) for body in model.requests())
    assert CANARY not in sent


@pytest.mark.skipif(not AS_ROOT, reason="writes under /usr/local to stand for a deployment kept there")
async def test_platform_folders_under_a_system_folder_stay_hidden(
    root: Path, model: MockModelServer, cwd: Path
) -> None:
    base = Path("/usr/local/share") / f"aigc-sandbox-test-{secrets.token_hex(4)}"
    (base / "data").mkdir(parents=True)
    (base / "data" / "aigc.db").write_text(CANARY)
    (base / "public.txt").write_text("public")
    config = make_config(root, model)
    rt = AgentRuntime(replace(config, sandbox_deny_read=(*config.sandbox_deny_read, base / "data")))
    try:
        turn = await run_commands(
            rt, model, cwd, [f"cat {base}/data/aigc.db {base}/public.txt > out.txt 2>&1"]
        )
    finally:
        await rt.shutdown()
        shutil.rmtree(base)
    assert turn.status == "ok", turn.events
    assert "public" in turn.file("out.txt"), "the system folder itself is readable"
    assert CANARY not in turn.file("out.txt")


@pytest.mark.skipif(not AS_ROOT, reason="writes under /usr/local to stand for a deployment kept there")
async def test_the_settings_file_and_the_servers_home_stay_hidden(
    root: Path, model: MockModelServer, cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """AIGC_ENV_FILE (secrets: JWT key, database password) under a bound folder, and ~/.pgpass of the server."""
    from aigc.agent.runtime import runtime_from_settings
    from aigc.core.config import reset_settings_cache

    base = Path("/usr/local/etc") / f"aigc-sandbox-test-{secrets.token_hex(4)}"
    base.mkdir(parents=True)
    env_file = base / "aigc.env"
    env_file.write_text(f"JWT_SECRET_KEY={CANARY}-{'x' * 40}\n")
    monkeypatch.setenv("AIGC_ENV_FILE", str(env_file))
    reset_settings_cache()
    from_settings = runtime_from_settings()
    await from_settings.shutdown()
    hidden = from_settings.config.sandbox_deny_read
    assert env_file in hidden and Path(pwd.getpwuid(os.getuid()).pw_dir) in hidden
    config = make_config(root, model)
    rt = AgentRuntime(replace(config, sandbox_deny_read=(*config.sandbox_deny_read, *hidden)))
    try:
        turn = await run_commands(
            rt, model, cwd, [f"cat {env_file} > env.txt 2>&1; ls -a ~ /root >> env.txt 2>&1"]
        )
    finally:
        await rt.shutdown()
        shutil.rmtree(base)
    assert turn.status == "ok", turn.events
    assert CANARY not in turn.file("env.txt") and ".pgpass" not in turn.file("env.txt")
    assert turn.file("env.txt") != "", "the command ran"


async def test_other_processes_are_out_of_sight(
    runtime: AgentRuntime, model: MockModelServer, cwd: Path
) -> None:
    turn = await run_commands(
        runtime,
        model,
        cwd,
        [
            "ls /proc | grep -cE '^[0-9]+$' > count.txt",
            f"cat /proc/{os.getpid()}/environ > server-env.txt 2>&1",
            r"tr '\0' '\n' < /proc/1/environ > init-env.txt 2>&1; env > env.txt",
            # PTRACE_ATTACH (16) to the server: its pid does not exist in the sandbox's pid namespace.
            f"python3 -c 'import ctypes; print(ctypes.CDLL(None).ptrace(16, {os.getpid()}, 0, 0))' > ptrace.txt",
        ],
    )
    assert turn.status == "ok", turn.events
    assert 0 < int(turn.file("count.txt")) <= 8, "only the sandbox's own processes"
    assert "PATH=" not in turn.file("server-env.txt")
    assert turn.file("init-env.txt").strip() == ""
    env = turn.file("env.txt")
    assert "HOME=/tmp" in env and "ANTHROPIC" not in env and "CLAUDE_CONFIG_DIR" not in env
    assert turn.file("ptrace.txt").strip() == "-1"


async def test_no_network_no_abstract_sockets_no_shared_memory(
    runtime: AgentRuntime, model: MockModelServer, cwd: Path
) -> None:
    name = f"aigc-sandbox-{secrets.token_hex(4)}"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind("\0" + name)
    listener.listen(1)
    listener.setblocking(False)
    shm = Path("/dev/shm") / name
    shm.write_text(CANARY)
    port = int(model.url.rsplit(":", 1)[1].split("/")[0])
    try:
        turn = await run_commands(
            runtime,
            model,
            cwd,
            [
                f"socat -u ABSTRACT-CONNECT:{name} - > abstract.txt 2>&1; echo rc=$? >> abstract.txt",
                f"(echo > /dev/tcp/127.0.0.1/{port}) > tcp.txt 2>&1; echo rc=$? >> tcp.txt",
                f"ls -a /dev/shm > shm.txt; cat /dev/shm/{name} >> shm.txt 2>&1; echo x > /dev/shm/{name}-planted",
            ],
        )
        with pytest.raises(BlockingIOError):
            listener.accept()
    finally:
        listener.close()
        shm.unlink()
    assert turn.status == "ok", turn.events
    assert "rc=0" not in turn.file("abstract.txt") and "rc=" in turn.file("abstract.txt")
    assert "rc=0" not in turn.file("tcp.txt") and "rc=" in turn.file("tcp.txt")
    assert CANARY not in turn.file("shm.txt") and name not in turn.file("shm.txt").split()
    assert not Path(f"/dev/shm/{name}-planted").exists()


async def test_hard_links_setuid_and_capabilities_give_nothing(
    runtime: AgentRuntime, model: MockModelServer, root: Path, cwd: Path
) -> None:
    turn = await run_commands(
        runtime,
        model,
        cwd,
        [
            f"ln /etc/passwd pw 2> ln.txt; ln {root}/outside/secret.txt s 2>> ln.txt; echo rc=$? >> ln.txt",
            "grep -E 'NoNewPrivs|CapEff|CapPrm' /proc/self/status > status.txt",
            "mount -t tmpfs none /tmp > mount.txt 2>&1; echo rc=$? >> mount.txt",
            "su nobody -s /bin/sh -c 'id -u' > su.txt 2>&1; echo rc=$? >> su.txt",
            "touch /usr/planted 2> usr.txt; echo rc=$? >> usr.txt",
        ],
    )
    assert turn.status == "ok", turn.events
    assert not (cwd / "pw").exists() and not (cwd / "s").exists(), turn.file("ln.txt")
    status = turn.file("status.txt")
    assert "NoNewPrivs:\t1" in status, "setuid bits give no new privileges"
    assert "CapEff:\t0000000000000000" in status and "CapPrm:\t0000000000000000" in status
    assert "rc=0" not in turn.file("mount.txt")
    assert "rc=0" not in turn.file("usr.txt") and not Path("/usr/planted").exists()
    if os.path.exists("/usr/bin/su"):
        assert "rc=0" not in turn.file("su.txt"), turn.file("su.txt")


async def test_the_agents_own_config_folder_is_read_only(
    runtime: AgentRuntime, model: MockModelServer, root: Path, cwd: Path
) -> None:
    """<cwd>/.claude is read by the CLI outside the sandbox: hooks planted there would run unsandboxed."""
    (cwd / ".claude").symlink_to(root / "outside")  # as an earlier, unfixed sandbox could have left it
    turn = await run_commands(
        runtime,
        model,
        cwd,
        [
            "mkdir -p .claude/skills 2> w.txt; echo '{\"hooks\": {}}' > .claude/settings.json 2>> w.txt;"
            " echo rc=$? >> w.txt",
            "rm -rf .claude 2> rm.txt; echo rc=$? >> rm.txt",
            f"ln -s {root}/outside .claude/skills/x 2> ln.txt; echo rc=$? >> ln.txt",
        ],
    )
    assert turn.status == "ok", turn.events
    assert "rc=0" not in turn.file("w.txt") and "rc=0" not in turn.file("rm.txt"), turn.file("w.txt")
    assert "rc=0" not in turn.file("ln.txt")
    config = cwd / ".claude"
    assert config.is_dir() and not config.is_symlink() and not (config / "settings.json").exists()
    assert sorted(p.name for p in (root / "outside").iterdir()) == ["secret.txt"]


async def test_skills_are_not_installed_through_a_symlink(root: Path, cwd: Path) -> None:
    from aigc.agent.skills import install_skills

    (cwd / ".claude").mkdir()
    (cwd / ".claude" / "skills").symlink_to(root / "outside")
    assert install_skills(cwd, [("notes", {"SKILL.md": "---\nname: notes\n---\n"})]) == ["notes"]
    assert (cwd / ".claude" / "skills" / "notes" / "SKILL.md").is_file()
    assert not (cwd / ".claude" / "skills").is_symlink()
    assert sorted(p.name for p in (root / "outside").iterdir()) == ["secret.txt"]


async def test_cd_outside_does_not_move_the_file_tools(
    runtime: AgentRuntime, model: MockModelServer, cwd: Path
) -> None:
    """`cd /etc` then a relative Read: the CLI resets its shell's folder, so `passwd` is not /etc/passwd."""
    steps = [
        {"tool_use": {"name": "Bash", "input": {"command": "cd /etc && pwd -P", "description": "cd"}}},
        {"tool_use": {"name": "Read", "input": {"file_path": "passwd"}}},
        {"tool_use": {"name": "Grep", "input": {"pattern": "root:", "path": "."}}},
        "Done.",
    ]
    model.set_script([{"user": "run", "steps": steps}])
    req = TurnRequest(session_key="shell", cwd=cwd, prompt="run", model="claude-sonnet-4-5", tools=BASH)
    events = [e.to_dict() async for e in runtime.run_turn(req)]
    finished = [e for e in events if e["type"] == "tool_finished"]
    assert len(finished) == 3, events
    assert "root:x:0:0" not in str(events) and "root:x:0:0" not in str(model.requests())


async def test_a_fork_bomb_ends_that_command_and_nothing_else(
    runtime: AgentRuntime, model: MockModelServer, cwd: Path
) -> None:
    support = cgroups_in_force(runtime.config.data_dir)
    if "pids" not in support.bases and AS_ROOT:
        pytest.skip(
            "neither a pids cgroup nor RLIMIT_NPROC (it does not bind root): a fork bomb would be unbounded"
        )
    marker = f"forkbomb{secrets.token_hex(4)}"
    turn = await run_commands(
        runtime,
        model,
        cwd,
        # The sleep keeps the command's shell (the sandbox's first process) alive while the bomb grows:
        # without it the sandbox could end, taking the bomb along, before the limit is ever reached.
        [
            f"{marker}(){{ {marker}|{marker}& }}; {marker}; sleep 2",
            "echo alive > alive.txt; ulimit -u > nproc.txt",
        ],
        timeout_ms=5000,
    )
    assert turn.status == "ok", turn.events
    assert turn.file("alive.txt") == "alive\n", "the session goes on"
    assert wait_until_gone(marker) == []
    if "pids" in support.bases:
        # The limit that held it: forks refused by the agent's pids cgroup.
        record = agent_record(runtime.processes, runtime.cli_pids()["shell"])
        (group,) = [g for g in record.cgroups if Path(g).is_relative_to(support.bases["pids"])]
        # Counted where the limit is set: the agent's group or a command's group below it.
        refused = {
            str(path): int(dict(line.split() for line in path.read_text().splitlines())["max"])
            for path in Path(group).rglob("pids.events")
        }
        assert sum(refused.values()) > 0, refused
    else:
        assert turn.file("nproc.txt").strip() != "unlimited", "RLIMIT_NPROC is in force"


async def test_background_jobs_nohup_setsid_disown_do_not_survive(
    runtime: AgentRuntime, model: MockModelServer, cwd: Path
) -> None:
    tag = str(3000 + secrets.randbelow(900))
    commands = [
        f"(sleep {tag}1 &); nohup sleep {tag}2 > /dev/null 2>&1 & setsid sleep {tag}3 & "
        f"sleep {tag}4 & disown; echo started > started.txt",
    ]
    model_steps = await run_commands(runtime, model, cwd, commands)
    assert model_steps.status == "ok", model_steps.events
    assert model_steps.file("started.txt") == "started\n"
    assert wait_until_gone(f"sleep {tag}") == []
    # The CLI's own background tasks are switched off: the parameter is refused.
    model.set_script(
        [
            {
                "user": "run",
                "steps": [
                    {
                        "tool_use": {
                            "name": "Bash",
                            "input": {"command": f"sleep {tag}5", "run_in_background": True},
                        }
                    },
                    "Done.",
                ],
            }
        ]
    )
    req = TurnRequest(session_key="shell", cwd=cwd, prompt="run", model="claude-sonnet-4-5", tools=BASH)
    events = [e.to_dict() async for e in runtime.run_turn(req)]
    finished = [e for e in events if e["type"] == "tool_finished"]
    assert finished and finished[0]["is_error"] is True
    assert wait_until_gone(f"sleep {tag}") == []


async def test_disk_quota_and_output_size(runtime: AgentRuntime, model: MockModelServer, cwd: Path) -> None:
    turn = await run_commands(
        runtime,
        model,
        cwd,
        [
            "head -c 100M /dev/zero > big; echo rc=$? > dd.txt",
            "head -c 20M /dev/zero > a",
            "rm -f big a",
            # Each file under the per-file limit (8 MB), together over the 32 MB quota.
            "for i in 1 2 3 4 5 6; do head -c 7M /dev/zero > f$i & done; wait; sleep 3",
            "rm -f f*",
            "yes | head -c 50M",
        ],
    )
    assert turn.status == "ok", turn.events
    results = turn.results()
    assert "rc=153" in turn.file("dd.txt"), "SIGXFSZ: the file stopped at what was left of the quota"
    assert "larger than the limit" in results[1]["result_summary"], results[1]
    assert results[2]["is_error"] is False and not (cwd / "big").exists(), "a full folder can be emptied"
    assert "went over its disk quota" in results[3]["result_summary"], results[3]
    assert results[5]["is_error"] is True, "an output over output_mb ends the command"
    assert "Exit code 153" in results[5]["result_summary"], "SIGXFSZ on the output file"


async def test_private_temp_folders_are_sized(
    runtime: AgentRuntime, model: MockModelServer, cwd: Path
) -> None:
    """/tmp, /var/tmp and /dev/shm are memory: each holds at most output_mb (8 MB here), not half the RAM."""
    turn = await run_commands(
        runtime,
        model,
        cwd,
        [
            "for d in /tmp /var/tmp /dev/shm; do for i in 1 2 3; do"
            " head -c 5M /dev/zero > $d/f$i 2>/dev/null || echo full $d >> full.txt; done; done; true",
        ],
    )
    assert turn.status == "ok", turn.events
    assert turn.file("full.txt").split("\n")[:3] == ["full /tmp", "full /tmp", "full /var/tmp"], turn.file(
        "full.txt"
    )
    assert "full /dev/shm" in turn.file("full.txt")


async def test_memory_and_cpu_time_limits(runtime: AgentRuntime, model: MockModelServer, cwd: Path) -> None:
    limits = ShellLimits(cpu_seconds=1, memory_mb=128, max_processes=32, output_mb=8, disk_mb=32)
    turn = await run_commands(
        runtime,
        model,
        cwd,
        [
            'python3 -c "b = bytearray(400 * 2**20); print(len(b))" > mem.txt 2>&1; echo rc=$? >> mem.txt',
            'python3 -c "while True: pass"',
            "echo alive > alive.txt",
        ],
        session="limits",
        shell_limits=limits,
    )
    assert turn.status == "ok", turn.events
    assert str(400 * 2**20) not in turn.file("mem.txt") and "rc=0" not in turn.file("mem.txt")
    assert "CPU time" in turn.results()[1]["result_summary"], turn.results()[1]
    assert turn.file("alive.txt") == "alive\n"


def test_no_sandbox_process_is_left(runtime: AgentRuntime) -> None:
    """Run last in the module: the commands of every case above are gone."""
    assert processes_with("shell_launcher.py") == []
