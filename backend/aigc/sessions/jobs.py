"""The sessions domain's scheduled job: retention (archive untouched sessions, delete them later)."""

from __future__ import annotations

from datetime import timedelta

from aigc.core.config import Settings
from aigc.scheduler import registry
from aigc.scheduler.models import JobRun
from aigc.scheduler.registry import JobContext
from aigc.sessions import retention

JOB_NAME = "retention"
INTERVAL = timedelta(days=1)


def _every(settings: Settings) -> timedelta | None:
    """Daily, and only when RETENTION_ARCHIVE_AFTER_DAYS or RETENTION_DELETE_AFTER_DAYS is set."""
    if settings.retention_archive_after_days or settings.retention_delete_after_days:
        return INTERVAL
    return None


@registry.job(JOB_NAME, title="Archive and delete old sessions", every=_every)
async def apply_retention(context: JobContext, run: JobRun) -> None:
    """Carry out today's retention plan with the server's storage and turn manager."""
    if context.app_state is None:
        raise RuntimeError("Retention needs a running server (its storage and turn manager)")
    actions = await retention.plan(context.settings)
    await retention.apply(actions, context.settings, context.app_state.storage, context.app_state.turns)
