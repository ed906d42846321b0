"""Place a scenario's skills where the agent CLI finds them: <cwd>/.claude/skills/<name>/."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path, PurePosixPath

SKILL_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SkillFiles = Mapping[str, str | bytes]


class SkillInstallError(ValueError):
    """A skill name or file path is not acceptable."""


def skills_dir(cwd: Path) -> Path:
    """The folder that holds one sub-folder per installed skill."""
    return cwd / ".claude" / "skills"


def _real_folder(path: Path) -> None:
    # The session folder is the agent's: a symlink there must not make the server write elsewhere.
    if path.is_symlink() or (path.exists() and not path.is_dir()):
        path.unlink()
    path.mkdir(parents=True, exist_ok=True)


def install_skills(cwd: Path, skills: Iterable[tuple[str, SkillFiles]]) -> list[str]:
    """Write each skill's files (relative path -> content, SKILL.md required); return the names.

    A skill folder is replaced as a whole, so files removed from a skill disappear from the session too.
    """
    names: list[str] = []
    _real_folder(cwd / ".claude")
    _real_folder(skills_dir(cwd))
    for name, files in skills:
        if not SKILL_NAME.fullmatch(name):
            raise SkillInstallError(f"invalid skill name {name!r}: letters, digits, '.', '_' and '-' only")
        if "SKILL.md" not in files:
            raise SkillInstallError(f"skill {name!r} has no SKILL.md")
        target = skills_dir(cwd) / name
        staging = target.with_name(f".{name}.installing")
        shutil.rmtree(staging, ignore_errors=True)
        for relative, content in files.items():
            path = staging / _safe_relative(name, relative)
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        shutil.rmtree(target, ignore_errors=True)
        os.replace(staging, target)
        names.append(name)
    return names


def _safe_relative(skill: str, relative: str) -> Path:
    """Refuse absolute paths and `..` so a skill package cannot write outside its folder."""
    pure = PurePosixPath(relative.replace("\\", "/"))
    if pure.is_absolute() or not pure.parts or any(part in ("..", "") for part in pure.parts):
        raise SkillInstallError(f"skill {skill!r}: file path {relative!r} is not a plain relative path")
    return Path(*pure.parts)
