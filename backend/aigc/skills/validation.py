"""Checks on skill content: SKILL.md front matter, file names, sizes, and zip uploads."""

from __future__ import annotations

import io
import re
import stat
import zipfile
from dataclasses import dataclass

import yaml

from aigc.core.errors import AppError

SKILL_FILE = "SKILL.md"
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
MAX_DESCRIPTION = 1024
MAX_FILES = 100
MAX_FILE_BYTES = 1024 * 1024
MAX_TOTAL_BYTES = 5 * 1024 * 1024
MAX_PATH_LENGTH = 255
# Archive clutter that is never part of a skill.
_IGNORED_PARTS = {"__MACOSX", ".DS_Store", "Thumbs.db"}


class SkillValidationError(AppError):
    status_code = 422
    code = "invalid_skill"


@dataclass(frozen=True)
class SkillContent:
    """A validated skill: its front matter and files (SKILL.md included)."""

    name: str
    description: str
    files: dict[str, bytes]

    @property
    def total_size(self) -> int:
        return sum(len(data) for data in self.files.values())


def parse_front_matter(text: str) -> tuple[str, str]:
    """Return (name, description) from SKILL.md's YAML front matter."""
    match = re.match(r"^\ufeff?---\s*\n(.*?)\n---\s*(\n|$)", text, re.DOTALL)
    if not match:
        raise SkillValidationError("SKILL.md must start with YAML front matter between '---' lines")
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError as exc:
        raise SkillValidationError(f"SKILL.md front matter is not valid YAML: {exc.problem or exc}") from None
    if not isinstance(meta, dict):
        raise SkillValidationError("SKILL.md front matter must be a mapping with name and description")
    name, description = meta.get("name"), meta.get("description")
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise SkillValidationError(
            "SKILL.md needs a `name` of lowercase letters, digits and hyphens (at most 64 characters)"
        )
    if not isinstance(description, str) or not description.strip():
        raise SkillValidationError("SKILL.md needs a non-empty `description`")
    if len(description) > MAX_DESCRIPTION:
        raise SkillValidationError(f"The description is longer than {MAX_DESCRIPTION} characters")
    return name, description.strip()


def check_path(path: str) -> str:
    """A relative, normalised path inside the skill folder; anything else is refused."""
    if not path or len(path) > MAX_PATH_LENGTH:
        raise SkillValidationError(f"File names must be 1 to {MAX_PATH_LENGTH} characters")
    if "\\" in path or "\x00" in path or any(ord(ch) < 32 for ch in path):
        raise SkillValidationError(f"The file name {path!r} contains characters that are not allowed")
    if path.startswith("/") or re.match(r"^[A-Za-z]:", path):
        raise SkillValidationError(f"The file name {path!r} must be relative to the skill folder")
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise SkillValidationError(f"The file name {path!r} must not contain empty, '.' or '..' parts")
    return path


def build_skill(files: dict[str, bytes]) -> SkillContent:
    """Validate a whole set of files and read the front matter from SKILL.md."""
    if not files:
        raise SkillValidationError("A skill needs at least a SKILL.md file")
    if len(files) > MAX_FILES:
        raise SkillValidationError(f"A skill may have at most {MAX_FILES} files")
    for path, data in files.items():
        check_path(path)
        if len(data) > MAX_FILE_BYTES:
            raise SkillValidationError(f"{path} is larger than {MAX_FILE_BYTES // 1024} KB")
    if sum(len(d) for d in files.values()) > MAX_TOTAL_BYTES:
        raise SkillValidationError(f"A skill may hold at most {MAX_TOTAL_BYTES // (1024 * 1024)} MB in all")
    if SKILL_FILE not in files:
        raise SkillValidationError("A skill needs a SKILL.md file at its top level")
    try:
        text = files[SKILL_FILE].decode("utf-8")
    except UnicodeDecodeError:
        raise SkillValidationError("SKILL.md must be UTF-8 text") from None
    name, description = parse_front_matter(text)
    return SkillContent(name=name, description=description, files=dict(files))


def read_zip(data: bytes) -> dict[str, bytes]:
    """The files of an uploaded zip; links are refused and sizes checked before anything is inflated."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise SkillValidationError("The upload is not a valid zip file") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir() and not _ignored(m.filename)]
        if len(members) > MAX_FILES:
            raise SkillValidationError(f"A skill may have at most {MAX_FILES} files")
        for member in members:
            if stat.S_ISLNK(member.external_attr >> 16):
                raise SkillValidationError(f"{member.filename} is a link; links are not allowed in skills")
            if member.file_size > MAX_FILE_BYTES:
                raise SkillValidationError(f"{member.filename} is larger than {MAX_FILE_BYTES // 1024} KB")
        if sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
            raise SkillValidationError(
                f"A skill may hold at most {MAX_TOTAL_BYTES // (1024 * 1024)} MB in all"
            )
        prefix = _common_folder([m.filename for m in members])
        files: dict[str, bytes] = {}
        for member in members:
            path = check_path(member.filename[len(prefix) :])
            # Read at most the declared size plus one byte: a lying header cannot inflate past the limit.
            with archive.open(member) as handle:
                content = handle.read(MAX_FILE_BYTES + 1)
            if len(content) > MAX_FILE_BYTES:
                raise SkillValidationError(f"{path} is larger than {MAX_FILE_BYTES // 1024} KB")
            files[path] = content
    return files


def _ignored(name: str) -> bool:
    return any(part in _IGNORED_PARTS for part in name.split("/"))


def _common_folder(names: list[str]) -> str:
    """Strip one wrapping folder (`my-skill/SKILL.md`), as zipping a folder produces."""
    if not names or SKILL_FILE in names:
        return ""
    first = names[0].split("/", 1)[0] + "/"
    if all(name.startswith(first) for name in names) and f"{first}{SKILL_FILE}" in names:
        return first
    return ""
