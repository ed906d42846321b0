"""Runs one shell command of an agent inside the platform's bwrap sandbox, with the session's limits.

The CLI starts this for every Bash command (CLAUDE_CODE_SHELL_PREFIX="python -I -S <this file> <profile>")
with the whole shell text as the last argument, in a new session of its own. Only the standard library is
imported (this runs once per command; importing the `aigc` package would cost the CLI's start-up time).

What a command can see is an allow-list: system program and library folders read-only, a few files of
/etc, a private /tmp, /proc of its own pid namespace, and its session folder (read-write). It has no
network, no capabilities, no other process in sight, and nothing it starts outlives it: the sandbox's
pid namespace ends with the command (its init is bwrap's), and bwrap dies with this launcher, which dies
with the CLI (PDEATHSIG).
"""

from __future__ import annotations

import os
import resource
import sys

# No `typing`, `enum` or `re` at run time: every import here is paid by every shell command.
TYPE_CHECKING = False
if TYPE_CHECKING:
    import signal
    from typing import Any
else:
    import _signal as signal  # the C module under `signal`, without its enum wrappers (~10 ms of imports)

# Folders a shell needs, bound read-only where they exist (a symlink such as /bin -> usr/bin stays one).
SYSTEM_FOLDERS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32")
# /etc entries a shell and common tools read; nothing with secrets (shadow, ssl/private, environment, ...).
ETC_ENTRIES = (
    "passwd",
    "group",
    "nsswitch.conf",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "timezone",
    "hosts",
    "host.conf",
    "alternatives",
    "bash.bashrc",
    "profile",
    "inputrc",
    "mime.types",
    "magic",
    "os-release",
    "debian_version",
    "ssl/certs",
    "ca-certificates.conf",
    "terminfo",
    "fonts",
    "ImageMagick-6",
    "papersize",
)
PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
QUOTA_POLL_SECONDS = 0.5
MIN_FILE_LIMIT = 1 << 20
CPU_GRACE_SECONDS = 5

# The CLI's command text: `source <snapshot> 2>/dev/null || true && ... && pwd -P >| <tmp>/claude-<hex>-cwd`.
SNAPSHOT_START, SNAPSHOT_END = "source ", " 2>/dev/null"
CWD_FILE_MARK = "pwd -P >| "


def say(text: str) -> None:
    """A line on the command's stderr, which the model reads as part of the tool result."""
    with_newline = f"[sandbox] {text}\n"
    try:
        os.write(2, with_newline.encode())
    except OSError:
        pass


def disk_usage(root: str) -> int:
    """Bytes the folder takes on disk (blocks, so sparse files count what they use; hard links once)."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            try:
                st = os.lstat(os.path.join(folder, name))
            except OSError:
                continue
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            total += st.st_blocks * 512
    return total


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip("/") + "/")


def bwrap_args(profile: dict[str, Any], command: str) -> list[str]:
    """The bwrap command line for one shell command (a pure function, tested without running it)."""
    cwd = profile["cwd"]
    args = [
        profile["bwrap"],
        "--die-with-parent",
        "--new-session",
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--cap-drop",
        "ALL",
        "--hostname",
        "sandbox",
        "--clearenv",
    ]
    env = {"PATH": PATH, "HOME": "/tmp", "TMPDIR": "/tmp", "LANG": "C.UTF-8", "TERM": "dumb", "PWD": cwd}
    for name, value in env.items():
        args += ["--setenv", name, value]
    for folder in SYSTEM_FOLDERS:
        if os.path.islink(folder):
            args += ["--symlink", os.readlink(folder), folder]
        elif os.path.isdir(folder):
            args += ["--ro-bind", folder, folder]
    args += ["--dir", "/etc"]
    for entry in ETC_ENTRIES:
        args += ["--ro-bind-try", f"/etc/{entry}", f"/etc/{entry}"]
    # Sized: an unsized tmpfs may take half the host's memory, and neither the disk quota nor RLIMIT_AS
    # counts it. Each private temp folder holds at most what one command may write.
    tmp_size = str(int(profile.get("limits", {}).get("output_mb", 64)) * 1024 * 1024)
    args += ["--proc", "/proc", "--dev", "/dev", "--size", tmp_size, "--tmpfs", "/dev/shm"]
    args += [
        "--size",
        tmp_size,
        "--tmpfs",
        "/tmp",
        "--dir",
        "/var",
        "--size",
        tmp_size,
        "--tmpfs",
        "/var/tmp",
    ]
    # The platform's own folders (database, data, other sessions) stay hidden even when a deployment keeps
    # them under a bound system folder such as /usr/local or /opt.
    bound = [*SYSTEM_FOLDERS, "/etc"]
    for hidden in profile.get("hidden", []):
        if not any(_inside(hidden, root) for root in bound):
            continue
        if os.path.isdir(hidden):
            args += ["--tmpfs", hidden]
        elif os.path.exists(hidden):
            args += ["--ro-bind", "/dev/null", hidden]
    args += ["--bind", cwd, cwd]
    # The CLI, which runs outside this sandbox, reads <cwd>/.claude (settings, hooks, skills): a command may
    # read it but never write it, or it could plant hooks that run unsandboxed.
    agent_config = _agent_config_folder(cwd)
    args += ["--ro-bind", agent_config, agent_config]
    snapshot = _snapshot_file(profile, command)
    if snapshot is not None:
        args += ["--ro-bind", snapshot, snapshot]
    cwd_file = _cwd_file(profile, command)
    if cwd_file is not None:
        args += ["--bind", cwd_file, cwd_file]
    args += ["--chdir", cwd, "/bin/bash", "-c", command]
    return args


def _agent_config_folder(cwd: str) -> str:
    """<cwd>/.claude as a real folder (a symlink or file left there by an earlier command is removed)."""
    path = os.path.join(cwd, ".claude")
    if os.path.islink(path) or (os.path.lexists(path) and not os.path.isdir(path)):
        os.unlink(path)
    os.makedirs(path, exist_ok=True)
    return path


def _snapshot_file(profile: dict[str, Any], command: str) -> str | None:
    """The CLI's shell snapshot this command sources, if it is where the CLI keeps them."""
    if not command.startswith(SNAPSHOT_START):
        return None
    named = command[len(SNAPSHOT_START) :].split(SNAPSHOT_END, 1)[0]
    if not named or " " in named:
        return None
    path = os.path.realpath(named)
    folder = os.path.realpath(profile["snapshot_dir"])
    return path if os.path.dirname(path) == folder and os.path.isfile(path) else None


def _cwd_file(profile: dict[str, Any], command: str) -> str | None:
    """The file where the command leaves its final folder for the CLI; created so it can be bound."""
    named = command.rpartition(CWD_FILE_MARK)[2]
    if CWD_FILE_MARK not in command or not named or " " in named:
        return None
    path = os.path.realpath(named)
    folder = os.path.realpath(profile["tmp_dir"])
    name = os.path.basename(path)
    middle = name[len("claude-") : -len("-cwd")]
    hex_digits = set("0123456789abcdef")
    if not (name.startswith("claude-") and name.endswith("-cwd") and middle and set(middle) <= hex_digits):
        return None
    if os.path.dirname(path) != folder:
        return None
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, 0o600)
    os.close(fd)
    return path


def _start_time(pid: int) -> int:
    with open(f"/proc/{pid}/stat", "rb") as file:
        fields = file.read().rsplit(b")", 1)[1].split()
    return int(fields[19])


def _record(profile: dict[str, Any]) -> str | None:
    """A record of this command's process group, so the platform can end it (turn end, crash sweep)."""
    folder = profile.get("records")
    if not folder:
        return None
    pid = os.getpid()
    path = os.path.join(folder, f"cmd-{pid}.json")
    data = f'{{"pid": {pid}, "pgid": {os.getpgid(0)}, "start": {_start_time(pid)}}}'
    try:
        with open(path, "w", encoding="utf-8") as file:
            file.write(data)
    except OSError:
        return None
    return path


def _join_cgroups(profile: dict[str, Any]) -> None:
    for group in profile.get("cgroups", []):
        try:
            with open(os.path.join(group, "cgroup.procs"), "w") as file:
                file.write(str(os.getpid()))
        except OSError as exc:
            say(f"could not join the session's cgroup {group}: {exc.strerror}")


def _set_rlimits(limits: dict[str, Any], file_limit: int, in_cgroup: set[str]) -> None:
    wanted = {
        resource.RLIMIT_CPU: int(limits["cpu_seconds"]),
        resource.RLIMIT_FSIZE: file_limit,
        resource.RLIMIT_CORE: 0,
    }
    if "memory" not in in_cgroup:
        wanted[resource.RLIMIT_AS] = int(limits["memory_mb"]) * 1024 * 1024
    if "pids" not in in_cgroup and os.getuid() != 0:
        # RLIMIT_NPROC counts every thread of the user (the server's and the CLIs' too): a margin on top.
        wanted[resource.RLIMIT_NPROC] = _threads_of_user() + int(limits["max_processes"])
    for which, value in wanted.items():
        # CPU: SIGXCPU at the limit (so the launcher can say why), SIGKILL a little later if it is caught.
        hard = value + CPU_GRACE_SECONDS if which == resource.RLIMIT_CPU else value
        try:
            resource.setrlimit(which, (value, hard))
        except (ValueError, OSError):
            pass


def _threads_of_user() -> int:
    uid, count = os.getuid(), 0
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                if os.stat(f"/proc/{name}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{name}/task"))
            except OSError:
                pass
    return count


def _explain(status: int, limits: dict[str, Any], over_quota: str) -> int:
    """The exit code to hand back, after saying why a limit ended the command."""
    if over_quota:
        say(f"{over_quota} its disk quota of {limits['disk_mb']} MB. Delete files before writing more.")
        return 1
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        code = 128 + sig
    else:
        code = os.WEXITSTATUS(status)
        sig = code - 128 if code > 128 else 0
    if sig == signal.SIGXCPU:
        say(f"The command was stopped: it used more than {limits['cpu_seconds']} s of CPU time.")
    elif sig == signal.SIGXFSZ:
        say(
            "The command was stopped: it wrote a file or an output larger than the limit "
            f"({limits['output_mb']} MB, or what is left of the session's quota)."
        )
    elif sig == signal.SIGKILL:
        say(
            "The command was killed; it may have gone over the session's memory "
            f"({limits['memory_mb']} MB) or process ({limits['max_processes']}) limit."
        )
    return code


def run(profile: dict[str, Any], command: str) -> int:
    """Run the command in the sandbox and return its exit code."""
    limits = profile["limits"]
    quota = int(limits["disk_mb"]) * 1024 * 1024
    used = disk_usage(profile["cwd"])
    if used >= quota:
        # Still run: deleting files must stay possible. Writes end at once (the file limit below).
        say(
            f"The session folder is full ({used // 2**20} MB of its {limits['disk_mb']} MB quota): "
            "delete files; writing more will fail."
        )
    record = _record(profile)
    try:
        _join_cgroups(profile)
        # What is left of the quota, but at least a little so a full folder still lets a command print.
        file_limit = min(int(limits["output_mb"]) * 2**20, max(quota - used, MIN_FILE_LIMIT))
        args = bwrap_args(profile, command)
        child = os.fork()
        if child == 0:
            try:
                # Limits on the sandbox only: this launcher keeps polling the quota whatever the command does.
                _set_rlimits(limits, file_limit, set(profile.get("cgroup_controllers", [])))
                # Python ignores these two and exec keeps ignored signals: a shell expects the defaults
                # (`yes | head` ends quietly; a write past RLIMIT_FSIZE ends the writer).
                signal.signal(signal.SIGPIPE, signal.SIG_DFL)
                signal.signal(signal.SIGXFSZ, signal.SIG_DFL)
                # An empty environment: the sandbox's pid 1 is a bwrap process, whose environ is readable inside.
                os.execve(args[0], args, {})
            finally:
                os._exit(127)
        over_quota: list[str] = []

        def grown_past_quota() -> bool:
            # Over the quota and growing: a command that only deletes is never stopped.
            return disk_usage(profile["cwd"]) > max(quota, used)

        def check_quota(signum: int, frame: object) -> None:
            if not over_quota and grown_past_quota():
                over_quota.append("The command was stopped: the session folder went over")
                try:
                    os.kill(child, signal.SIGKILL)  # bwrap's sandbox dies with it (--die-with-parent)
                except ProcessLookupError:
                    pass

        # A timer, not a thread: waitpid resumes after each check (PEP 475) and nothing more is imported.
        # Periodic (the interval re-arms it) for as long as the command runs, not once.
        signal.signal(signal.SIGALRM, check_quota)
        signal.setitimer(signal.ITIMER_REAL, QUOTA_POLL_SECONDS, QUOTA_POLL_SECONDS)
        _, status = os.waitpid(child, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        if not over_quota and grown_past_quota():
            # Grown past the quota between two checks and ended: nothing to stop, but the model is told.
            over_quota.append("The command ended with the session folder over")
        return _explain(status, limits, over_quota[0] if over_quota else "")
    finally:
        if record is not None:
            try:
                os.unlink(record)
            except OSError:
                pass


def format_profile(profile: dict[str, Any]) -> str:
    """The profile as `key=value` lines (lists repeat `key[]=`, limits are `limits.name=`): no json to import."""
    lines = []
    for key, value in profile.items():
        if isinstance(value, dict):
            lines += [f"{key}.{name}={item}" for name, item in value.items()]
        elif isinstance(value, list):
            lines += [f"{key}[]={item}" for item in value]
        else:
            lines.append(f"{key}={value}")
    if any("\n" in line for line in lines):
        raise ValueError("a sandbox profile value may not contain a newline")
    return "\n".join(lines) + "\n"


def parse_profile(text: str) -> dict[str, Any]:
    """The dict format_profile wrote (numbers stay strings)."""
    profile: dict[str, Any] = {"limits": {}}
    for line in text.splitlines():
        key, _, value = line.partition("=")
        if key.endswith("[]"):
            profile.setdefault(key[:-2], []).append(value)
        elif key.startswith("limits."):
            profile["limits"][key[len("limits.") :]] = value
        else:
            profile[key] = value
    return profile


def main(argv: list[str]) -> int:
    """`shell_launcher.py <profile> <command>`: the CLI appends the command."""
    if os.getppid() == 1:
        return 1  # the CLI is already gone (the wrapper set PDEATHSIG, but it may have died before)
    if len(argv) != 3:
        say("usage: shell_launcher.py <profile> <command>")
        return 2
    try:
        with open(argv[1], encoding="utf-8") as file:
            profile = parse_profile(file.read())
    except OSError as exc:
        say(f"the sandbox profile could not be read ({exc}); the command was not run")
        return 1
    return run(profile, argv[2])


if __name__ == "__main__":
    sys.exit(main(sys.argv))
