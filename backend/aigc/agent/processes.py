"""Records of the processes the platform starts, and how they are ended (release, stop, crash sweep).

Every agent CLI runs in its own process group (the wrapper `setsid`s it) and dies with the server
(PDEATHSIG). Each shell command of it runs in another group that the launcher records in the agent's
folder. A record holds the pid, the group and the kernel's start time of the process, so a pid that was
reused by something else is never killed; the server that owns a record is recorded the same way, so a
start-up sweep only ends what a dead server left behind, never a live worker's agents.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

logger = logging.getLogger(__name__)

CGROUP_KILL_ROUNDS = 50


def start_time(pid: int, zombies: bool = False) -> int | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/<pid>/stat), None if gone.

    A zombie counts as gone unless `zombies`: it runs nothing, and its pid cannot be reused until its
    parent reaps it.
    """
    try:
        fields = Path(f"/proc/{pid}/stat").read_bytes().rsplit(b")", 1)[1].split()
    except OSError:
        return None
    return None if fields[0] in (b"Z", b"X") and not zombies else int(fields[19])


def alive(pid: int, started: int) -> bool:
    """Whether `pid` is still the process that was recorded (and not a reuse of its number)."""
    return start_time(pid) == started


def kill_group(pid: int, pgid: int, started: int, leader_just_ended: bool = False) -> bool:
    """SIGKILL a recorded process group if its leader is still the recorded process; True if a signal was sent.

    With `leader_just_ended` (the caller has just seen the leader exit), a group whose leader is gone is
    signalled too: Linux does not hand out a pid again while a group of that id has members, so the id
    still names the recorded group and its left-over members are killed. A live process with that pid and
    another start time means the number was reused; then nothing is sent. The start-up sweep does not use
    it: long after a crash, a daemon whose session leader reused the pid and exited would look the same.
    """
    if pgid != pid:
        return False
    now = start_time(pid, zombies=True)
    if now != started and not (now is None and leader_just_ended):
        return False
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
        return True
    return False


def kill_cgroup(path: Path, remove: bool = True) -> int:
    """Kill every process in a cgroup (and its child groups), then remove it; how many were signalled."""
    killed = 0
    if not path.is_dir():
        return 0
    kill_file = path / "cgroup.kill"  # cgroup v2 (5.14+): one write ends the whole subtree
    if kill_file.exists():
        with contextlib.suppress(OSError):
            kill_file.write_text("1")
    for _ in range(CGROUP_KILL_ROUNDS):
        pids = _cgroup_pids(path)
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
                killed += 1
        time.sleep(0.01)
    if not remove:
        return killed
    for child in sorted((p for p in path.rglob("*") if p.is_dir()), reverse=True):
        with contextlib.suppress(OSError):
            child.rmdir()
    with contextlib.suppress(OSError):
        path.rmdir()
    return killed


def _cgroup_pids(path: Path) -> list[int]:
    pids: list[int] = []
    for procs in [path / "cgroup.procs", *path.rglob("*/cgroup.procs")]:
        with contextlib.suppress(OSError, ValueError):
            pids += [int(line) for line in procs.read_text().split()]
    return pids


@dataclass
class AgentRecord:
    """What the platform knows about one agent CLI and the commands it runs."""

    token: str
    pid: int = 0
    start: int = 0
    owner_pid: int = field(default_factory=os.getpid)
    owner_start: int = field(default_factory=lambda: start_time(os.getpid()) or 0)
    cgroups: list[str] = field(default_factory=list)


class ProcessBook:
    """The records folder of one deployment (data_dir/agent/run): one file and one folder per agent."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def commands_dir(self, token: str) -> Path:
        """Where the shell launcher records the commands of one agent."""
        return self.root / token

    def open(self, record: AgentRecord) -> None:
        """Create the record (before the CLI starts, so a crash during start is swept too)."""
        self.commands_dir(record.token).mkdir(parents=True, exist_ok=True, mode=0o700)
        self.save(record)

    def save(self, record: AgentRecord) -> None:
        path = self.root / f"agent-{record.token}.json"
        staging = path.with_suffix(".tmp")
        staging.write_text(json.dumps(asdict(record)))
        staging.replace(path)

    def end_commands(self, token: str) -> int:
        """Kill every recorded shell command of an agent (their sandboxes die with them)."""
        ended = 0
        folder = self.commands_dir(token)
        for path in folder.glob("cmd-*.json") if folder.is_dir() else []:
            try:
                data = json.loads(path.read_text())
                ended += kill_group(int(data["pid"]), int(data["pgid"]), int(data["start"]))
            except (OSError, ValueError, KeyError):
                pass
            path.unlink(missing_ok=True)
        return ended

    def end(self, record: AgentRecord, cli_just_ended: bool = False) -> int:
        """Kill the agent's group, its commands and cgroups, and drop the record.

        `cli_just_ended`: the caller has just stopped the CLI, so what is left of its group is killed too.
        """
        ended = self.end_commands(record.token)
        if record.pid:
            ended += kill_group(record.pid, record.pid, record.start, leader_just_ended=cli_just_ended)
        for group in record.cgroups:
            ended += kill_cgroup(Path(group))
        shutil.rmtree(self.commands_dir(record.token), ignore_errors=True)
        (self.root / f"agent-{record.token}.json").unlink(missing_ok=True)
        return ended

    def sweep(self) -> int:
        """End what servers that are no longer running left behind; returns how many processes were killed."""
        if not self.root.is_dir():
            return 0
        ended = 0
        for path in self.root.glob("agent-*.json"):
            try:
                record = AgentRecord(**json.loads(path.read_text()))
            except (OSError, ValueError, TypeError):
                path.unlink(missing_ok=True)
                continue
            if alive(record.owner_pid, record.owner_start):
                continue  # another live server process (a worker) owns it
            ended += self.end(record)
        if ended:
            logger.warning("ended %d agent processes left behind by a stopped server", ended)
        return ended
