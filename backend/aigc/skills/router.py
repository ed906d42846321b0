"""Skill endpoints: list, create or upload, edit in place, publish, download, delete."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status

from aigc.auth.dependencies import CurrentUser
from aigc.core.deps import SessionDep
from aigc.core.errors import error_responses
from aigc.skills import service
from aigc.skills.schemas import SkillCreate, SkillDetail, SkillFiles, SkillsPublic, SkillUpdate
from aigc.skills.validation import MAX_TOTAL_BYTES, SkillValidationError

router = APIRouter(prefix="/skills", tags=["skills"], responses=error_responses(401))


@router.get("", summary="List skills", response_model=SkillsPublic)
async def list_skills(
    session: SessionDep,
    user: CurrentUser,
    search: Annotated[str | None, Query(max_length=100)] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> SkillsPublic:
    """Public skills and the user's own."""
    return await service.list_skills(session, user, search, offset, limit)


@router.post(
    "",
    summary="Create a skill",
    response_model=SkillDetail,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(403, 409, 422),
)
async def create_skill(data: SkillCreate, session: SessionDep, user: CurrentUser) -> SkillDetail:
    """Create a skill from files (SKILL.md with name and description front matter, plus any others)."""
    skill = await service.create_skill(session, user, service.decode_files(data), data.is_public)
    return await service.detail(session, skill)


@router.post(
    "/upload",
    summary="Upload a skill as a zip",
    response_model=SkillDetail,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(403, 409, 422),
)
async def upload_skill(
    session: SessionDep,
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="A zip of the skill folder")],
    is_public: Annotated[bool, Form()] = False,
) -> SkillDetail:
    """Create a skill from a zipped folder; one wrapping folder is stripped."""
    archive = await file.read(MAX_TOTAL_BYTES * 2 + 1)
    if len(archive) > MAX_TOTAL_BYTES * 2:
        raise SkillValidationError("The zip file is too large")
    skill = await service.create_from_zip(session, user, archive, is_public)
    return await service.detail(session, skill)


@router.get("/{skill_id}", summary="Get a skill", response_model=SkillDetail, responses=error_responses(404))
async def get_skill(skill_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> SkillDetail:
    """A skill with its files (text inline)."""
    return await service.detail(session, await service.get_skill(session, user, skill_id))


@router.put(
    "/{skill_id}",
    summary="Replace a skill's files",
    response_model=SkillDetail,
    responses=error_responses(403, 404, 409, 422),
)
async def replace_skill(
    skill_id: uuid.UUID, data: SkillFiles, session: SessionDep, user: CurrentUser
) -> SkillDetail:
    """Edit in place: the files sent become the skill's files; visibility is unchanged."""
    skill = await service.replace_content(session, user, skill_id, service.decode_files(data))
    return await service.detail(session, skill)


@router.patch(
    "/{skill_id}",
    summary="Publish, unpublish, enable or disable a skill",
    response_model=SkillDetail,
    responses=error_responses(403, 404),
)
async def update_skill(
    skill_id: uuid.UUID, changes: SkillUpdate, session: SessionDep, user: CurrentUser
) -> SkillDetail:
    """Change visibility or availability."""
    return await service.detail(session, await service.update_flags(session, user, skill_id, changes))


@router.get(
    "/{skill_id}/download",
    summary="Download a skill as a zip",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}, **error_responses(404)},
)
async def download_skill(skill_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> Response:
    """The skill folder as a zip."""
    skill = await service.get_skill(session, user, skill_id)
    return Response(
        await service.as_zip(session, skill),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{skill.name}.zip"',
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.delete(
    "/{skill_id}",
    summary="Delete a skill",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(403, 404),
)
async def delete_skill(skill_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> None:
    """Delete a skill; scenarios that used it stop listing it."""
    await service.delete_skill(session, user, skill_id)
