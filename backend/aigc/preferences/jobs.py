"""The batch that learns every eligible user's preferences, run hourly by the scheduler or by an admin."""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from aigc.core.config import Settings
from aigc.core.db import session_scope
from aigc.core.models import utcnow
from aigc.preferences import profile as profiles
from aigc.preferences import repository
from aigc.preferences.learner import LearnedProfile, learn_statistically
from aigc.preferences.model_learner import learn_with_model
from aigc.preferences.models import UserPreferencesCache
from aigc.preferences.samples import FeedbackRow, FeedbackSample, feedback_hash
from aigc.scheduler import registry
from aigc.scheduler import service as scheduler_service
from aigc.scheduler.models import JobRun
from aigc.scheduler.registry import JobContext, Trigger
from aigc.scheduler.schemas import JobRunPublic

logger = logging.getLogger("aigc.preferences.jobs")

JOB_NAME = "learn-preferences"
LEARN_BATCH = 200


def _every(settings: Settings) -> timedelta:
    return timedelta(minutes=settings.preference_learning_interval_minutes)


@registry.job(JOB_NAME, title="Learn preferences from feedback", every=_every)
async def learn_all(context: JobContext, run: JobRun) -> None:
    """Learn every eligible user whose feedback changed since their last learning."""
    settings = context.settings
    min_feedback_count = int(
        context.parameters.get("min_feedback_count") or settings.preference_min_feedback_count
    )
    run.parameters = {"min_feedback_count": min_feedback_count}
    changed, hashes, considered = await _changed_users(min_feedback_count)
    run.users_considered = considered
    run.users_skipped = considered - len(changed)
    try:
        for start in range(0, len(changed), LEARN_BATCH):
            learned, failed = await _learn_batch(settings, changed[start : start + LEARN_BATCH], hashes)
            run.users_learned += learned
            run.users_failed += failed
    finally:
        logger.info(
            "Preference learning (%s): %d considered, %d learned, %d unchanged, %d failed",
            context.trigger,
            run.users_considered,
            run.users_learned,
            run.users_skipped,
            run.users_failed,
        )


async def learn_preferences(
    settings: Settings, *, min_feedback_count: int, trigger: Trigger, holder: str = scheduler_service.HOLDER
) -> JobRunPublic | None:
    """Run the batch once. Scheduled runs return None when another process already ran this interval."""
    job = registry.get(JOB_NAME)
    assert job is not None  # registered above
    context = JobContext(settings, trigger, {"min_feedback_count": min_feedback_count})
    return await scheduler_service.run(job, context, holder=holder)


async def _changed_users(
    min_feedback_count: int,
) -> tuple[list[uuid.UUID], dict[uuid.UUID, tuple[str, int]], int]:
    """Hash every eligible user's feedback; only users whose hash moved since their last learning are kept.

    This is the whole cost of an unchanged run, so it works on stored text keys and decodes only the changed.
    """
    async with session_scope(write=False) as db:
        paused = await repository.paused_users(db)
        previous = await repository.cached_hashes(db)
        per_user: dict[str, list[FeedbackRow]] = {}
        async for user_key, row in repository.feedback_rows(db, min_feedback_count):
            per_user.setdefault(user_key, []).append(row)
    considered = 0
    changed: list[uuid.UUID] = []
    hashes: dict[uuid.UUID, tuple[str, int]] = {}
    for user_key, rows in per_user.items():
        if user_key in paused:
            continue
        considered += 1
        digest = feedback_hash(rows)
        if previous.get(user_key) != digest:
            user_id = uuid.UUID(user_key)
            changed.append(user_id)
            hashes[user_id] = (digest, len(rows))
    return changed, hashes, considered


async def _learn_batch(
    settings: Settings, user_ids: list[uuid.UUID], hashes: dict[uuid.UUID, tuple[str, int]]
) -> tuple[int, int]:
    async with session_scope(write=False) as db:
        samples = await repository.samples_for(db, user_ids)
    results: dict[uuid.UUID, tuple[LearnedProfile, str]] = {}
    failed = 0
    for user_id in user_ids:
        try:
            results[user_id] = await _learn_one(settings, samples.get(user_id, []))
        except Exception:
            logger.exception("Learning the preferences of user %s failed", user_id)
            failed += 1
    async with session_scope() as db:
        existing = await repository.caches(db, list(results))
        for user_id, (learned, model_used) in results.items():
            cache = existing.get(user_id) or UserPreferencesCache(user_id=user_id)
            if cache.paused:
                continue  # paused while this run was going
            cache.profile = profiles.merge(cache.profile, learned.items, learned.learner)
            cache.summary = learned.summary
            cache.data_hash, cache.feedback_count = hashes[user_id]
            cache.version += 1
            cache.learned_at = utcnow()
            cache.model_used = model_used
            db.add(cache)
    return len(results), failed


async def _learn_one(settings: Settings, samples: list[FeedbackSample]) -> tuple[LearnedProfile, str]:
    """The model learner when configured, the statistical learner when it is off, fails or answers badly."""
    if settings.preference_learning_use_model:
        try:
            return await learn_with_model(settings, samples)
        except Exception as exc:
            logger.warning("Model learning failed (%s); using the statistical learner", exc)
    return learn_statistically(samples), "statistical"
