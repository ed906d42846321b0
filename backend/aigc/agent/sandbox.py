"""The platform's own sandbox for shell commands: limits, cgroups per agent, and the launcher profile.

The CLI's sandbox option (bwrap + socat, a deny-list for reads) is not used: measured facts and the
reasons are in docs/architecture.md ("Shell sandbox"). Every Bash command goes through
`shell_launcher.py` (CLAUDE_CODE_SHELL_PREFIX), which runs it in an allow-list bwrap profile inside the
agent's cgroups, with rlimits for what cgroups do not cover.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import logging
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from aigc.agent import shell_launcher

logger = logging.getLogger(__name__)

CGROUP_ROOT = Path("/sys/fs/cgroup")
CONTROLLERS = ("pids", "memory", "cpu")
CPU_PERIOD_US = 100_000
# cgroup v2: where the server's own processes go when its group must hand controllers to the agents' groups.
SERVER_LEAF = "aigc-server"


@dataclass(frozen=True)
class ShellLimits:
    """Resource limits of the shell commands of one session (all its running commands together)."""

    cpu_seconds: int = 300  # CPU time of one process (RLIMIT_CPU)
    cpu_cores: float = 1.0  # share of the machine (cgroup cpu quota)
    memory_mb: int = 1024  # memory of the session's commands (cgroup); per process under rlimits
    max_processes: int = 128  # processes at once (pids cgroup): a fork bomb ends there
    output_mb: int = 64  # largest file or output one command may write (RLIMIT_FSIZE)
    disk_mb: int = 1024  # the session folder's quota


@dataclass(frozen=True)
class CgroupSupport:
    """Where this server may create cgroups, per controller (empty: rlimits only)."""

    version: Literal[1, 2] | None
    bases: dict[str, Path]

    @property
    def mode(self) -> str:
        if not self.bases:
            return "rlimits"
        return f"cgroup v{self.version} ({', '.join(sorted(self.bases))}) + rlimits"


@functools.cache
def cgroup_support(instance: str) -> CgroupSupport:
    """Probe once which controllers this process may create children in, under its own cgroup."""
    own = _own_cgroups()
    if (CGROUP_ROOT / "cgroup.controllers").exists():
        return _v2_support(own.get("", "/"), instance)
    bases: dict[str, Path] = {}
    for controller in CONTROLLERS:
        mount = CGROUP_ROOT / controller
        if controller not in own or not (mount / "cgroup.procs").exists():
            continue
        base = mount / own[controller].lstrip("/") / f"aigc-{instance}"
        try:
            base.mkdir(exist_ok=True)
        except OSError:
            continue
        bases[controller] = base
    return CgroupSupport(1 if bases else None, bases)


def _v2_support(
    own: str, instance: str, mount: Path = CGROUP_ROOT, controllers: tuple[str, ...] = CONTROLLERS
) -> CgroupSupport:
    """Enable the controllers below the server's group, moving its processes into a leaf first if need be."""
    parent = mount / own.lstrip("/")
    if parent.name == SERVER_LEAF:
        parent = parent.parent  # a server process of this deployment (or another worker) moved us already
    base = parent / f"aigc-{instance}"
    try:
        available = set((parent / "cgroup.controllers").read_text().split())
        wanted = [c for c in controllers if c in available]
        if not wanted:
            return CgroupSupport(None, {})
        enable = " ".join(f"+{c}" for c in wanted)
        try:
            (parent / "cgroup.subtree_control").write_text(enable)
        except OSError as exc:
            if exc.errno != errno.EBUSY:
                raise
            # "No internal processes": a group other than the root may not hold processes and hand
            # controllers to its children. The server's group (a container's, a delegated service's) does,
            # so its processes move into a leaf beside the agents' groups; children started later follow.
            _move_into_leaf(parent)
            (parent / "cgroup.subtree_control").write_text(enable)
        base.mkdir(exist_ok=True)
        (base / "cgroup.subtree_control").write_text(enable)
    except OSError as exc:
        logger.info("no cgroup v2 limits under %s (%s); rlimits apply", parent, exc)
        return CgroupSupport(None, {})
    return CgroupSupport(2, dict.fromkeys(wanted, base))


def _move_into_leaf(parent: Path) -> None:
    """Move every process of `parent` (this server first) into `parent/aigc-server`."""
    leaf = parent / SERVER_LEAF
    leaf.mkdir(exist_ok=True)
    procs = leaf / "cgroup.procs"
    procs.write_text(str(os.getpid()))
    # The group's other processes: an init such as tini, other workers of the same container or service.
    for _ in range(3):  # a process may fork while we move them; what it forked shows up on the next read
        left = (parent / "cgroup.procs").read_text().split()
        if not left:
            return
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                procs.write_text(pid)


def _own_cgroups() -> dict[str, str]:
    """controller -> this process's cgroup path ("" is the v2 unified hierarchy)."""
    found: dict[str, str] = {}
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            _, names, path = line.split(":", 2)
            for name in names.split(",") if names else [""]:
                found[name] = path
    return found


def create_cgroups(support: CgroupSupport, token: str, limits: ShellLimits) -> dict[str, Path]:
    """The cgroups of one agent's commands, limits written: controller -> its cgroup (one path on v2)."""
    created: dict[str, Path] = {}
    for controller, base in support.bases.items():
        path = base / token
        try:
            # v1: the deployment's folder comes back if a shutdown removed it (v2 keeps it: subtree_control).
            path.mkdir(parents=support.version == 1, exist_ok=support.version == 2)
            for name, value in _limit_files(support.version, controller, limits).items():
                (path / name).write_text(value)
        except OSError as exc:
            logger.warning("could not set up cgroup %s for %s: %s", path, controller, exc)
            continue
        created[controller] = path
    return created


def remove_empty_bases(support: CgroupSupport) -> None:
    """Drop the deployment's v1 cgroup folders when no agent uses them (at shutdown; busy ones stay)."""
    if support.version != 1:
        return
    for base in set(support.bases.values()):
        with contextlib.suppress(OSError):
            base.rmdir()


def _limit_files(version: int | None, controller: str, limits: ShellLimits) -> dict[str, str]:
    memory = str(limits.memory_mb * 1024 * 1024)
    quota = max(1000, int(limits.cpu_cores * CPU_PERIOD_US))
    if controller == "pids":
        return {"pids.max": str(limits.max_processes)}
    if controller == "cpu":
        if version == 2:
            return {"cpu.max": f"{quota} {CPU_PERIOD_US}"}
        return {"cpu.cfs_period_us": str(CPU_PERIOD_US), "cpu.cfs_quota_us": str(quota)}
    if version == 2:
        return {"memory.max": memory, "memory.swap.max": "0"}
    # v1: memsw (memory + swap) exists only with swap accounting; the order matters (memsw >= memory).
    files = {"memory.limit_in_bytes": memory}
    if Path("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes").exists():
        files["memory.memsw.limit_in_bytes"] = memory
    return files


@dataclass(frozen=True)
class ShellProfile:
    """What the launcher of one agent's commands reads (written as JSON next to its records)."""

    bwrap: str
    cwd: str
    snapshot_dir: str
    tmp_dir: str
    records: str
    hidden: list[str]
    limits: dict[str, float]
    cgroups: list[str]
    cgroup_controllers: list[str]

    def write(self, path: Path) -> None:
        path.write_text(shell_launcher.format_profile(asdict(self)))


def instance_id(data_dir: Path) -> str:
    """A short name for this deployment, so two deployments on one host never share cgroups."""
    return hashlib.sha256(str(data_dir.resolve()).encode()).hexdigest()[:10]


def write_shell_prefix(folder: Path, profile_path: Path) -> str:
    """CLAUDE_CODE_SHELL_PREFIX for an agent: a script that runs the launcher with the agent's profile.

    A script, not a command line: the CLI's handling of arguments inside the prefix differs between
    versions (measured: `python -I -S launcher profile` was taken as one program name by 2.1.332).
    """
    script = folder / "shell"
    # PDEATHSIG here rather than in Python (ctypes would cost every command ~30 ms of imports).
    die_with_cli = (
        ["/usr/bin/setpriv", "--pdeathsig", "KILL"] if os.access("/usr/bin/setpriv", os.X_OK) else []
    )
    parts = [*die_with_cli, sys.executable, "-I", "-S", shell_launcher.__file__, str(profile_path)]
    text = "#!/bin/sh\nexec " + " ".join(shlex.quote(part) for part in parts) + ' "$@"\n'
    script.write_text(text)
    script.chmod(0o700)
    if any(ch.isspace() for ch in str(script)):
        raise RuntimeError(f"the shell sandbox cannot run from a path with spaces: {script}")
    return str(script)


# A failed probe is tried again after this long (bwrap installed, user namespaces enabled meanwhile).
PROBE_RETRY_SECONDS = 60.0
_probes: dict[str, tuple[str | None, float]] = {}


def bwrap_works() -> str | None:
    """None when bwrap can build the shell profile's sandbox here (as this user); else what is wrong, in words.

    Runs the launcher's own bwrap command line (proc, dev, tmpfs, every namespace, no capabilities), so a
    host that allows a simple sandbox but not this one (no mount of /proc in a user namespace, say) is
    found here rather than in the first command. Success is kept; a failure is probed again later.
    """
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return "the shell sandbox needs `bwrap` (package bubblewrap)"
    known = _probes.get(bwrap)
    if known is not None and (known[0] is None or time.monotonic() - known[1] < PROBE_RETRY_SECONDS):
        return known[0]
    problem = _probe(bwrap)
    _probes[bwrap] = (problem, time.monotonic())
    return problem


def _probe(bwrap: str) -> str | None:
    with tempfile.TemporaryDirectory(prefix="aigc-bwrap-probe-") as folder:
        root = Path(folder)
        for name in ("cwd", "snapshots", "tmp"):
            (root / name).mkdir()
        profile = {
            "bwrap": bwrap,
            "cwd": str(root / "cwd"),
            "snapshot_dir": str(root / "snapshots"),
            "tmp_dir": str(root / "tmp"),
            "limits": {"output_mb": 1},
        }
        probe = shell_launcher.bwrap_args(profile, "true")
        try:
            # An empty environment, as the launcher starts it.
            done = subprocess.run(probe, capture_output=True, timeout=10, check=False, env={})
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bwrap could not run: {exc}"
    if done.returncode != 0:
        return "bwrap cannot create a sandbox for this user: " + done.stderr.decode(errors="replace")[:200]
    return None


def sandbox_status(data_dir: Path, limits: ShellLimits | None = None) -> dict[str, object]:
    """What isolates shell commands on this host, for the health endpoint and the admin page."""
    problem = bwrap_works()
    support = cgroup_support(instance_id(data_dir))
    summary = f"unavailable: {problem}" if problem else f"ok: bwrap allow-list, no network, {support.mode}"
    return {
        "summary": summary,
        "available": problem is None,
        "problem": problem,
        "filesystem": "bwrap allow-list (system folders read-only, session folder, private /tmp)",
        "network": "none",
        "limits": support.mode,
        "cgroup_version": support.version,
        "defaults": asdict(limits or ShellLimits()),
    }
