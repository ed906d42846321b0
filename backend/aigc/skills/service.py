"""Skill rules: validation, visibility, ownership, and the files a session's agent receives."""

from __future__ import annotations

import base64
import binascii
import io
import uuid
import zipfile
from collections.abc import Sequence

from sqlmodel.ext.asyncio.session import AsyncSession

from aigc.core.errors import ConflictError, NotFoundError, PermissionDeniedError
from aigc.core.models import utcnow
from aigc.skills import repository
from aigc.skills.models import Skill
from aigc.skills.schemas import SkillDetail, SkillFilePublic, SkillFiles, SkillsPublic, SkillUpdate
from aigc.skills.validation import SkillContent, SkillValidationError, build_skill, read_zip
from aigc.users.models import User

# Text files up to this size are returned inline for the editor; larger or binary ones only by download.
INLINE_TEXT_LIMIT = 256 * 1024


def decode_files(data: SkillFiles) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for item in data.files:
        if item.path in files:
            raise SkillValidationError(f"{item.path} is listed twice")
        if item.encoding == "base64":
            try:
                files[item.path] = base64.b64decode(item.content, validate=True)
            except (binascii.Error, ValueError):
                raise SkillValidationError(f"{item.path} is not valid base64") from None
        else:
            files[item.path] = item.content.encode("utf-8")
    return files


async def get_skill(session: AsyncSession, user: User, skill_id: uuid.UUID) -> Skill:
    skill = await repository.get_visible(session, user, skill_id)
    if skill is None:
        raise NotFoundError("No such skill")
    return skill


async def get_visible_many(session: AsyncSession, user: User, skill_ids: Sequence[uuid.UUID]) -> list[Skill]:
    """Those of these skills the user may see (unknown and hidden ones are left out)."""
    return await repository.get_visible_many(session, user, skill_ids)


async def list_skills(
    session: AsyncSession, user: User, search: str | None, offset: int, limit: int
) -> SkillsPublic:
    skills, count = await repository.list_visible(session, user, search, offset, limit)
    return SkillsPublic.model_validate({"items": skills, "count": count}, from_attributes=True)


async def detail(session: AsyncSession, skill: Skill) -> SkillDetail:
    files = []
    for item in await repository.files_of(session, skill.id):
        text = _as_text(item.content)
        files.append(
            SkillFilePublic(
                path=item.path,
                size=item.size,
                is_text=text is not None,
                content=text if text is not None and item.size <= INLINE_TEXT_LIMIT else None,
            )
        )
    result = SkillDetail.model_validate(skill)
    result.files = files
    return result


def _as_text(data: bytes) -> str | None:
    if b"\x00" in data:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _check_publish(user: User, is_public: bool) -> None:
    if is_public and not user.is_admin:
        raise PermissionDeniedError("Only administrators can publish skills", code="publish_forbidden")


def _check_manage(user: User, skill: Skill) -> None:
    if not (skill.created_by == user.id or (user.is_admin and skill.is_public)):
        raise PermissionDeniedError("You can only change your own skills", code="not_owner")


async def create_skill(session: AsyncSession, user: User, files: dict[str, bytes], is_public: bool) -> Skill:
    _check_publish(user, is_public)
    content = build_skill(files)
    await _check_name_free(session, content.name)
    skill = Skill(name=content.name, description=content.description, is_public=is_public, created_by=user.id)
    _apply_content(skill, content)
    session.add(skill)
    await session.flush()
    await repository.replace_files(session, skill.id, content.files)
    await session.flush()
    return skill


async def create_from_zip(session: AsyncSession, user: User, archive: bytes, is_public: bool) -> Skill:
    return await create_skill(session, user, read_zip(archive), is_public)


async def replace_content(
    session: AsyncSession, user: User, skill_id: uuid.UUID, files: dict[str, bytes]
) -> Skill:
    """Edit in place: the new file set replaces the old one; the name may change if it is free."""
    skill = await get_skill(session, user, skill_id)
    _check_manage(user, skill)
    content = build_skill(files)
    if content.name != skill.name:
        await _check_name_free(session, content.name)
    skill.name, skill.description = content.name, content.description
    _apply_content(skill, content)
    session.add(skill)
    await repository.replace_files(session, skill.id, content.files)
    await session.flush()
    return skill


async def update_flags(session: AsyncSession, user: User, skill_id: uuid.UUID, changes: SkillUpdate) -> Skill:
    skill = await get_skill(session, user, skill_id)
    _check_manage(user, skill)
    if changes.is_public is not None:
        _check_publish(user, changes.is_public)
        skill.is_public = changes.is_public
    if changes.is_enabled is not None:
        skill.is_enabled = changes.is_enabled
    session.add(skill)
    await session.flush()
    return skill


async def delete_skill(session: AsyncSession, user: User, skill_id: uuid.UUID) -> None:
    skill = await get_skill(session, user, skill_id)
    _check_manage(user, skill)
    await session.delete(skill)
    await session.flush()


async def as_zip(session: AsyncSession, skill: Skill) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for item in await repository.files_of(session, skill.id):
            archive.writestr(f"{skill.name}/{item.path}", item.content)
    return buffer.getvalue()


async def files_for_scenario(
    session: AsyncSession, scenario_id: uuid.UUID
) -> list[tuple[str, dict[str, bytes]]]:
    """The enabled skills of a scenario as (name, files): what a session's directory receives."""
    result = []
    for skill in await repository.enabled_skills_of_scenario(session, scenario_id):
        files = {item.path: item.content for item in await repository.files_of(session, skill.id)}
        result.append((skill.name, files))
    return result


async def _check_name_free(session: AsyncSession, name: str) -> None:
    if await repository.get_by_name(session, name):
        raise ConflictError(f"A skill named '{name}' already exists", code="skill_name_taken")


def _apply_content(skill: Skill, content: SkillContent) -> None:
    skill.total_size = content.total_size
    skill.file_count = len(content.files)
    # The files live in skill_files: new files of the same count and size leave this row otherwise unchanged,
    # yet the skill did change.
    skill.updated_at = utcnow()
