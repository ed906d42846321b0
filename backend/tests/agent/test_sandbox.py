"""The shell sandbox's pieces without a CLI: the bwrap profile, the limits report, the cgroups."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from aigc.agent import sandbox, shell_launcher
from aigc.agent.environment import AgentEnvironment, render_wrapper
from aigc.agent.processes import kill_cgroup
from aigc.agent.sandbox import (
    ShellLimits,
    bwrap_works,
    cgroup_support,
    create_cgroups,
    instance_id,
    remove_empty_bases,
    sandbox_status,
)


def profile(tmp_path: Path, **changes: Any) -> dict[str, Any]:
    base = {
        "bwrap": "/usr/bin/bwrap",
        "cwd": str(tmp_path / "work" / "s1"),
        "snapshot_dir": str(tmp_path / "config" / "shell-snapshots"),
        "tmp_dir": str(tmp_path / "tmp"),
        "hidden": [],
    }
    for folder in ("cwd", "snapshot_dir", "tmp_dir"):
        Path(base[folder]).mkdir(parents=True)
    return {**base, **changes}


def pairs(args: list[str], flag: str) -> list[str]:
    """The destinations of every `flag SRC DEST` in a bwrap command line."""
    return [args[i + 2] for i, arg in enumerate(args) if arg == flag]


def test_profile_is_an_allow_list(tmp_path: Path) -> None:
    args = shell_launcher.bwrap_args(profile(tmp_path), "echo hi")
    bound = pairs(args, "--ro-bind") + pairs(args, "--ro-bind-try") + pairs(args, "--bind")
    assert "/" not in bound and "/etc" not in bound and "/etc/shadow" not in bound
    assert "/usr" in bound and "/etc/passwd" in bound
    assert str(tmp_path / "work" / "s1") in pairs(args, "--bind")
    for flag in ("--unshare-pid", "--unshare-net", "--die-with-parent", "--new-session", "--clearenv"):
        assert flag in args
    assert args[args.index("--cap-drop") + 1] == "ALL"
    assert args[-3:] == ["/bin/bash", "-c", "echo hi"]


def test_only_the_clis_own_snapshot_and_cwd_file_are_bound(tmp_path: Path) -> None:
    prof = profile(tmp_path)
    snapshot = Path(prof["snapshot_dir"]) / "snapshot-bash-1.sh"
    snapshot.write_text("export A=1\n")
    cwd_file = Path(prof["tmp_dir"]) / "claude-ab12-cwd"
    genuine = f"source {snapshot} 2>/dev/null || true && eval 'ls' < /dev/null && pwd -P >| {cwd_file}"
    args = shell_launcher.bwrap_args(prof, genuine)
    assert str(snapshot) in pairs(args, "--ro-bind") and str(cwd_file) in pairs(args, "--bind")
    # A command that names other files in those places gets neither bound.
    forged = "source /etc/shadow 2>/dev/null || true && eval 'x' && pwd -P >| /root/.ssh/authorized_keys"
    args = shell_launcher.bwrap_args(prof, forged)
    assert "/etc/shadow" not in args and "/root/.ssh/authorized_keys" not in args


def test_hidden_folders_are_masked_only_under_bound_system_folders(tmp_path: Path) -> None:
    usr_share = "/usr/share"  # exists on any Debian: stands for a deployment under /usr
    prof = profile(tmp_path, hidden=[usr_share, str(tmp_path / "elsewhere")])
    args = shell_launcher.bwrap_args(prof, "true")
    assert usr_share in [args[i + 1] for i, a in enumerate(args) if a == "--tmpfs"]
    assert str(tmp_path / "elsewhere") not in args, "not bound, so nothing to mask"
    # The session folder is bound after the masks, so a session under a hidden folder stays usable.
    session_bind = max(i for i, a in enumerate(args) if a == "--bind" and args[i + 2].endswith("/s1"))
    assert args.index(usr_share) < session_bind


def test_wrapper_makes_the_cli_a_group_leader_that_dies_with_the_server(tmp_path: Path) -> None:
    text = render_wrapper(Path("/opt/claude"), AgentEnvironment(tmp_path))
    assert "/usr/bin/setsid /usr/bin/setpriv --pdeathsig KILL /usr/bin/env -i" in text
    assert "CLAUDE_CODE_DISABLE_BACKGROUND_TASKS=1" in text
    assert "CLAUDE_CODE_SHELL_PREFIX" in text


def test_status_names_what_is_in_force(tmp_path: Path) -> None:
    status = sandbox_status(tmp_path, ShellLimits(memory_mb=256))
    remove_empty_bases(cgroup_support(instance_id(tmp_path)))  # the probe made this deployment's folders
    assert status["available"] is True, status
    assert status["network"] == "none" and str(status["summary"]).startswith("ok: bwrap allow-list")
    assert str(status["limits"]).startswith(("cgroup v1", "cgroup v2", "rlimits"))
    assert status["defaults"]["memory_mb"] == 256  # type: ignore[index]  # a dict of the limits


def test_cgroups_get_the_limits_and_go_away(tmp_path: Path) -> None:
    support = cgroup_support("test" + tmp_path.name[-6:])
    created = create_cgroups(support, "probe", ShellLimits(memory_mb=200, max_processes=17))
    try:
        assert set(created) == set(support.bases)
        if "pids" in created:
            assert (created["pids"] / "pids.max").read_text().strip() == "17"
        if "memory" in created:
            limit_file = "memory.max" if support.version == 2 else "memory.limit_in_bytes"
            assert int((created["memory"] / limit_file).read_text()) == 200 * 2**20
    finally:
        for path in set(created.values()):
            kill_cgroup(path)
        for base in set(support.bases.values()):
            base.rmdir()
    assert all(not path.exists() for path in created.values())


def test_profile_text_round_trip_and_refuses_newlines(tmp_path: Path) -> None:
    prof = {**profile(tmp_path), "hidden": ["/a b", "/c"], "limits": {"disk_mb": 5}, "cgroups": []}
    parsed = shell_launcher.parse_profile(shell_launcher.format_profile(prof))
    assert parsed["hidden"] == ["/a b", "/c"] and parsed["limits"] == {"disk_mb": "5"}
    assert parsed["cwd"] == prof["cwd"] and "cgroups" not in parsed
    with pytest.raises(ValueError, match="newline"):
        shell_launcher.format_profile({**prof, "cwd": "/x\nbwrap=/tmp/evil"})


def _v2_mount() -> Path | None:
    """A cgroup v2 hierarchy this test may write, with a controller to hand down (hugetlb in hybrid mode)."""
    for mount in (Path("/sys/fs/cgroup"), Path("/sys/fs/cgroup/unified")):
        controllers = mount / "cgroup.controllers"
        if controllers.exists() and controllers.read_text().split() and os.access(mount, os.W_OK):
            return mount
    return None


V2_SERVER = """
import json, os, sys
from pathlib import Path
from aigc.agent import sandbox
mount, own, controller = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
(mount / own.lstrip("/") / "cgroup.procs").write_text(str(os.getpid()))
support = sandbox._v2_support(own, "t", mount, (controller,))
print(json.dumps({"version": support.version, "bases": {k: str(v) for k, v in support.bases.items()},
                  "own": Path("/proc/self/cgroup").read_text()}))
"""


def test_v2_server_moves_its_group_into_a_leaf_to_hand_down_controllers(tmp_path: Path) -> None:
    """The "no internal processes" rule: a non-root group with processes cannot enable controllers below."""
    mount = _v2_mount()
    if mount is None:
        pytest.skip("no writable cgroup v2 hierarchy with a controller on this host (run as root on v2)")
    controller = (mount / "cgroup.controllers").read_text().split()[0]
    (mount / "cgroup.subtree_control").write_text(f"+{controller}")  # the root group may hold processes
    own = f"/aigc-test-{secrets.token_hex(4)}"
    group = mount / own.lstrip("/")
    group.mkdir()
    (group / "cgroup.subtree_control").write_text("")
    # Another process of the server's group (an init, another worker): it has to move too.
    neighbour = subprocess.Popen(["sleep", "60"])
    try:
        (group / "cgroup.procs").write_text(str(neighbour.pid))
        backend = Path(__file__).resolve().parents[2]
        done = subprocess.run(
            [sys.executable, "-c", V2_SERVER, str(mount), own, controller],
            cwd=backend,
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
        found = json.loads(done.stdout)
        assert found["version"] == 2, done.stderr
        assert found["bases"] == {controller: str(group / "aigc-t")}
        assert f"{own}/aigc-server" in found["own"], "the server runs in the leaf"
        assert (group / "cgroup.procs").read_text() == "", "no process left in the inner group"
        assert str(neighbour.pid) in (group / "aigc-server" / "cgroup.procs").read_text()
        assert controller in (group / "aigc-t" / "cgroup.subtree_control").read_text()
    finally:
        neighbour.kill()
        neighbour.wait()
        for child in (group / "aigc-t", group / "aigc-server"):
            if child.exists():
                kill_cgroup(child)
        kill_cgroup(group)
    assert not group.exists()


def _fake_bwrap(folder: Path, body: str) -> None:
    folder.mkdir(exist_ok=True)
    script = folder / "bwrap"
    script.write_text(f"#!/bin/sh\n{body}\n")
    script.chmod(0o755)


def test_bwrap_probe_runs_the_profiles_own_flags(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A host that allows a bare sandbox but not /proc, /dev or a tmpfs in it must be found by the probe."""
    args_file = tmp_path / "args"
    _fake_bwrap(tmp_path / "bin", f'printf "%s\\n" "$@" > {args_file}; exec /usr/bin/bwrap "$@"')
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    assert bwrap_works() is None
    args = args_file.read_text().split("\n")
    for flag in ("--proc", "--dev", "--tmpfs", "--unshare-pid", "--unshare-net", "--clearenv", "--cap-drop"):
        assert flag in args, flag
    assert args[-4:-1] == ["/bin/bash", "-c", "true"]


def test_a_failed_bwrap_probe_is_tried_again_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "bin"
    _fake_bwrap(folder, "echo 'setting up uid map: Permission denied' >&2; exit 1")
    monkeypatch.setenv("PATH", f"{folder}:{os.environ['PATH']}")
    assert "Permission denied" in str(bwrap_works())
    _fake_bwrap(folder, 'exec /usr/bin/bwrap "$@"')  # fixed by an administrator meanwhile
    assert bwrap_works() is not None, "a failure is kept for a while (no probe per turn)"
    monkeypatch.setattr(sandbox, "PROBE_RETRY_SECONDS", 0.0)
    assert bwrap_works() is None, "and probed again after it"
    _fake_bwrap(folder, "exit 1")
    assert bwrap_works() is None, "success is kept"


def run_launcher(tmp_path: Path, command: str, **limits: int) -> subprocess.CompletedProcess[str]:
    """The launcher as the CLI starts it: the profile file and the command text."""
    prof = profile(tmp_path, records=str(tmp_path / "records"))
    Path(prof["records"]).mkdir()
    prof["limits"] = {"cpu_seconds": 20, "memory_mb": 256, "max_processes": 64, "output_mb": 8, "disk_mb": 32}
    prof["limits"].update(limits)
    (tmp_path / "profile").write_text(shell_launcher.format_profile(prof))
    launcher = [sys.executable, "-I", "-S", shell_launcher.__file__, str(tmp_path / "profile"), command]
    return subprocess.run(launcher, capture_output=True, text=True, timeout=60, check=False)


def test_the_disk_quota_is_checked_for_the_whole_command(tmp_path: Path) -> None:
    """Slow growth: every check but the first few sees the folder under its quota; a later one stops it."""
    done = run_launcher(
        tmp_path, "for i in $(seq 1 12); do head -c 4M /dev/zero > f$i; sleep 0.6; done; echo finished"
    )
    assert "went over its disk quota of 32 MB" in done.stderr, done.stderr
    assert done.returncode == 1 and "finished" not in done.stdout
    assert not (tmp_path / "work" / "s1" / "f12").exists()


def test_a_command_that_ends_between_two_checks_is_told_it_went_over(tmp_path: Path) -> None:
    done = run_launcher(tmp_path, "for i in 1 2 3 4 5 6; do head -c 7M /dev/zero > f$i & done; wait")
    assert "ended with the session folder over its disk quota of 32 MB" in done.stderr, done.stderr
    assert done.returncode == 1
