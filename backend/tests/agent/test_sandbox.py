"""The shell sandbox's pieces without a CLI: the bwrap profile, the limits report, the cgroups."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from aigc.agent import shell_launcher
from aigc.agent.environment import AgentEnvironment, render_wrapper
from aigc.agent.processes import kill_cgroup
from aigc.agent.sandbox import (
    ShellLimits,
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
