"""Session endpoints: create, list, read, rename, delete; send a message and stream the turn; artifacts."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, File, Header, Query, Response, UploadFile, status
from fastapi.responses import StreamingResponse
from fastapi.sse import EventSourceResponse, ServerSentEvent

from aigc.auth.dependencies import CurrentUser
from aigc.core.deps import SessionDep, SettingsDep
from aigc.core.errors import ConflictError, error_responses
from aigc.sessions import downloads, service, uploads
from aigc.sessions.dependencies import StorageDep, TurnsDep
from aigc.sessions.events import TurnEvent
from aigc.sessions.schemas import (
    ArtifactPreview,
    ArtifactPublic,
    ArtifactsPublic,
    MessageCreate,
    SessionCreate,
    SessionDetail,
    SessionPublic,
    SessionsPublic,
    SessionUpdate,
)
from aigc.sessions.turns import TurnStream

router = APIRouter(prefix="/sessions", tags=["sessions"], responses=error_responses(401))
artifacts_router = APIRouter(prefix="/artifacts", tags=["artifacts"], responses=error_responses(401))

STREAM_DESCRIPTION = (
    "Server-Sent Events, each a `TurnEvent`: the SSE event name is its `type`, the data its JSON, and `done` "
    "comes last. Each event has an id; re-attach with `GET /sessions/{id}/stream` and `Last-Event-ID` to "
    "replay what was missed."
)
STREAM_RESPONSE = {"description": "The turn's events, as Server-Sent Events"}


async def _events(stream: TurnStream, after: int = 0) -> AsyncIterator[TurnEvent]:
    """The turn's events from number `after` on, each named by its type and numbered for re-attaching.

    Declared as TurnEvents, which FastAPI publishes as the data of each event (`itemSchema`); yielded as
    ServerSentEvents carrying them, which FastAPI sends as they are (data, `event:` and `id:`).
    """
    async for item in stream.follow(after):
        yield ServerSentEvent(id=str(item.id), event=item.event.type, data=item.event)  # type: ignore[misc]  # see the docstring


@router.post(
    "",
    summary="Create a session",
    response_model=SessionPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 409, 422),
)
async def create_session(
    data: SessionCreate, session: SessionDep, user: CurrentUser, turns: TurnsDep
) -> SessionPublic:
    """Start a session with a scenario, the default one, or `auto` (chosen from the first message)."""
    return await service.to_public(await service.create_session(session, user, data), turns)


@router.get("", summary="List my sessions", response_model=SessionsPublic)
async def list_sessions(
    session: SessionDep,
    user: CurrentUser,
    turns: TurnsDep,
    search: Annotated[str | None, Query(max_length=200, description="Matches the title")] = None,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=200)] = 30,
) -> SessionsPublic:
    """The signed-in user's sessions, most recently active first."""
    return await service.list_sessions(session, user, turns, search, offset, limit)


@router.get(
    "/{session_id}", summary="Get a session", response_model=SessionDetail, responses=error_responses(404)
)
async def get_session(
    session_id: uuid.UUID, session: SessionDep, user: CurrentUser, turns: TurnsDep
) -> SessionDetail:
    """A session with its messages and artifacts."""
    return await service.get_detail(session, user, turns, session_id)


@router.patch(
    "/{session_id}",
    summary="Rename a session",
    response_model=SessionPublic,
    responses=error_responses(404, 422),
)
async def rename_session(
    session_id: uuid.UUID, data: SessionUpdate, session: SessionDep, user: CurrentUser, turns: TurnsDep
) -> SessionPublic:
    """Change the title."""
    return await service.to_public(await service.rename(session, user, session_id, data.title), turns)


@router.delete(
    "/{session_id}",
    summary="Delete a session",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404),
)
async def delete_session(
    session_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    turns: TurnsDep,
    storage: StorageDep,
    settings: SettingsDep,
) -> None:
    """Delete the session with its messages, files and stored artifacts (a running turn is stopped)."""
    await service.delete_session(session, user, session_id, turns, storage, settings)


async def start_turn(
    session_id: uuid.UUID, data: MessageCreate, user: CurrentUser, settings: SettingsDep, turns: TurnsDep
) -> TurnStream:
    """Validate and start the turn before any byte is streamed, so refusals are ordinary HTTP errors."""
    return await service.start_turn(user, session_id, data.content, settings, turns, data.attachment_ids)


@router.post(
    "/{session_id}/messages",
    summary="Send a message and stream the reply",
    response_class=EventSourceResponse,
    description=STREAM_DESCRIPTION,
    responses={200: STREAM_RESPONSE, **error_responses(401, 404, 409, 422, json_content=True)},
)
async def send_message(stream: Annotated[TurnStream, Depends(start_turn)]) -> AsyncIterator[TurnEvent]:
    """Run one agent turn; it goes on and is saved even if the client disconnects."""
    async for event in _events(stream):
        yield event


async def attachable_stream(
    session_id: uuid.UUID, session: SessionDep, user: CurrentUser, turns: TurnsDep
) -> TurnStream | None:
    await service.get_owned(session, user, session_id)
    return await turns.stream_for(session_id)


@router.get(
    "/{session_id}/stream",
    summary="Re-attach to the running turn",
    response_class=EventSourceResponse,
    description="Replays events after `Last-Event-ID` (or `after`), then follows the turn. 204 when none is running.",
    responses={
        200: STREAM_RESPONSE,
        204: {"description": "No turn to attach to"},
        **error_responses(401, 404, 422, json_content=True),
    },
)
async def attach(
    stream: Annotated[TurnStream | None, Depends(attachable_stream)],
    last_event_id: Annotated[int | None, Header(alias="Last-Event-ID", ge=0)] = None,
    after: Annotated[int | None, Query(ge=0)] = None,
) -> AsyncIterator[TurnEvent]:
    """Follow a turn after a disconnect or a page reload."""
    if stream is None:
        return
    async for event in _events(stream, last_event_id if last_event_id is not None else after or 0):
        yield event


@router.post(
    "/{session_id}/stop",
    summary="Stop the running turn",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(404, 409),
)
async def stop_turn(
    session_id: uuid.UUID, session: SessionDep, user: CurrentUser, turns: TurnsDep
) -> dict[str, bool]:
    """Interrupt the agent; the turn ends as `stopped` and is saved."""
    await service.get_owned(session, user, session_id)
    if not await turns.stop(session_id):
        raise ConflictError("No reply is being written in this session", code="no_running_turn")
    return {"stopping": True}


@router.get(
    "/{session_id}/artifacts",
    summary="List a session's artifacts",
    response_model=ArtifactsPublic,
    responses=error_responses(404),
)
async def list_artifacts(session_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> ArtifactsPublic:
    """Files the agent created or changed, one entry per path."""
    items = await service.list_artifacts(session, user, session_id)
    return ArtifactsPublic(items=[ArtifactPublic.model_validate(a) for a in items], count=len(items))


@router.post(
    "/{session_id}/files",
    summary="Upload files into a session",
    response_model=ArtifactsPublic,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(404, 409, 413, 422, 503),
)
async def upload_files(
    session_id: uuid.UUID,
    files: Annotated[list[UploadFile], File(description="One or more files (the field repeated)")],
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
) -> ArtifactsPublic:
    """Store files under the session's `uploads/` folder; a message names them in `attachment_ids`.

    All or nothing: a file over a limit (413 with the limit), too many files (422) or a storage failure (503)
    stores none. Names are made safe and unique (`name (2).ext`); the type is read from the bytes.
    """
    items = await uploads.store_uploads(session, user, session_id, files, storage, settings)
    return ArtifactsPublic(items=[ArtifactPublic.model_validate(a) for a in items], count=len(items))


@router.get(
    "/{session_id}/files",
    summary="List a session's uploads",
    response_model=ArtifactsPublic,
    responses=error_responses(404),
)
async def list_files(session_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> ArtifactsPublic:
    """The files the user uploaded, sent (with a `message_id`) or not yet."""
    items = await uploads.list_uploads(session, user, session_id)
    return ArtifactsPublic(items=[ArtifactPublic.model_validate(a) for a in items], count=len(items))


@router.delete(
    "/{session_id}/files/{file_id}",
    summary="Delete an unsent upload",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(404, 409),
)
async def delete_file(
    session_id: uuid.UUID,
    file_id: uuid.UUID,
    session: SessionDep,
    user: CurrentUser,
    storage: StorageDep,
    settings: SettingsDep,
) -> None:
    """Take back a file no message has sent yet (409 once one has)."""
    await uploads.delete_upload(session, user, session_id, file_id, storage, settings)


@artifacts_router.get(
    "/{artifact_id}/download",
    summary="Download an artifact",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/octet-stream": {}}}, **error_responses(404)},
)
async def download_artifact(
    artifact_id: uuid.UUID, session: SessionDep, user: CurrentUser, storage: StorageDep, settings: SettingsDep
) -> Response:
    """The file, as an attachment."""
    return await downloads.download_response(
        storage, settings, await service.get_artifact(session, user, artifact_id)
    )


@artifacts_router.get(
    "/{artifact_id}/preview",
    summary="Preview an artifact",
    response_model=ArtifactPreview,
    responses=error_responses(404),
)
async def preview_artifact(
    artifact_id: uuid.UUID, session: SessionDep, user: CurrentUser, storage: StorageDep, settings: SettingsDep
) -> ArtifactPreview:
    """The beginning of a text, Markdown, CSV, JSON or HTML artifact; images and other files by download."""
    return await downloads.preview(storage, settings, await service.get_artifact(session, user, artifact_id))
