"""Per-process services the session endpoints share, taken from the application state."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from aigc.sessions.turns import TurnManager
from aigc.storage import ArtifactStorage


def get_turn_manager(request: Request) -> TurnManager:
    turns: TurnManager = request.app.state.turns  # set by the app's lifespan
    return turns


def get_artifact_storage(request: Request) -> ArtifactStorage:
    storage: ArtifactStorage = request.app.state.storage
    return storage


TurnsDep = Annotated[TurnManager, Depends(get_turn_manager)]
StorageDep = Annotated[ArtifactStorage, Depends(get_artifact_storage)]
