"""A small reader for deploy/Dockerfile and .dockerignore, enough for the static deployment checks."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Instruction:
    keyword: str
    args: str

    def words(self) -> list[str]:
        """Arguments of the exec (JSON) form or the shell form, as a list."""
        stripped = self.args.strip()
        if stripped.startswith("["):
            return list(json.loads(stripped))
        return shlex.split(stripped)


@dataclass
class Stage:
    image: str  # with a build argument's default filled in
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)
    base_arg: str | None = None  # the build argument that names the base image, if one does

    def all(self, keyword: str) -> list[Instruction]:
        return [item for item in self.instructions if item.keyword == keyword]

    @property
    def workdir(self) -> str:
        found = self.all("WORKDIR")
        return found[-1].args.strip() if found else "/"

    def env(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for item in self.all("ENV"):
            for word in item.words():
                name, _, value = word.partition("=")
                values[name] = value
        return values


def parse_dockerfile(path: Path) -> list[Stage]:
    """Stages with their instructions; continuation lines joined, comments dropped."""
    stages: list[Stage] = []
    logical, buffer = [], ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not buffer and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):  # a comment inside a continued instruction
            continue
        if line.endswith("\\"):
            buffer += line[:-1] + " "
            continue
        logical.append(buffer + line)
        buffer = ""
    global_args: dict[str, str] = {}
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            parts = args.split()
            image, base_arg = parts[0], None
            argument = re.fullmatch(r"\$\{?(\w+)\}?", image)
            if argument:
                base_arg = argument.group(1)
                image = global_args[base_arg]
            name = parts[2] if len(parts) > 2 and parts[1].upper() == "AS" else None
            stages.append(Stage(image=image, name=name, base_arg=base_arg))
        elif keyword == "ARG" and not stages:
            arg_name, _, default = args.strip().partition("=")
            global_args[arg_name] = default
        elif stages:
            stages[-1].instructions.append(Instruction(keyword, args.strip()))
    return stages


def copy_parts(item: Instruction) -> tuple[dict[str, str], list[str], str]:
    """(flags, sources, destination) of a COPY instruction."""
    words = item.words()
    flags = {}
    while words and words[0].startswith("--"):
        name, _, value = words.pop(0)[2:].partition("=")
        flags[name] = value
    return flags, words[:-1], words[-1]


class DockerIgnore:
    """The .dockerignore rules: last matching pattern wins, a match on a parent folder covers its contents."""

    def __init__(self, path: Path) -> None:
        lines = [line.strip() for line in path.read_text().splitlines()]
        self.patterns = [line for line in lines if line and not line.startswith("#")]

    def ignores(self, relative: str) -> bool:
        parts = relative.strip("/").split("/")
        candidates = ["/".join(parts[: index + 1]) for index in range(len(parts))]
        ignored = False
        for pattern in self.patterns:
            negated = pattern.startswith("!")
            body = pattern[1:] if negated else pattern
            if any(_match(body, candidate) for candidate in candidates):
                ignored = not negated
        return ignored


def _match(pattern: str, path: str) -> bool:
    if pattern.startswith("**/"):
        parts = path.split("/")
        return any(fnmatch.fnmatchcase("/".join(parts[start:]), pattern[3:]) for start in range(len(parts)))
    return fnmatch.fnmatchcase(path, pattern.rstrip("/"))
