"""Jobs registered by their domains: `@registry.job(...)` in `<domain>/jobs.py` records name, trigger and body.

The scheduler package only runs what is registered here; it knows no domain. A domain's jobs module is
imported by the app (aigc.main) so that its decorators run.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Literal

from aigc.core.config import Settings
from aigc.scheduler.models import JobRun

Trigger = Literal["schedule", "manual"]


@dataclass(frozen=True)
class JobContext:
    """What a job body gets: the settings, why it runs, and the app's state when a server runs it."""

    settings: Settings
    trigger: Trigger
    # What a manual trigger asked for (e.g. {"min_feedback_count": 5}); empty for scheduled runs.
    parameters: dict[str, Any] = field(default_factory=dict)
    # The running app's state (its storage and turn manager) for jobs that act on sessions; None when a
    # job runs outside a server (tests, the command line).
    app_state: Any = None


# The body fills in the run's counters (and may record the parameters it settled on); raising marks it failed.
JobBody = Callable[[JobContext, JobRun], Awaitable[None]]
# How often a job runs with these settings; None turns it off (e.g. retention when no RETENTION_* is set).
Every = Callable[[Settings], timedelta | None]


@dataclass(frozen=True)
class Job:
    name: str
    title: str
    every: Every
    body: JobBody


_jobs: dict[str, Job] = {}


def job(name: str, *, title: str, every: Every) -> Callable[[JobBody], JobBody]:
    """Register the decorated coroutine as the body of the job `name`."""

    def register(body: JobBody) -> JobBody:
        existing = _jobs.get(name)
        if existing is not None and existing.body is not body:
            raise ValueError(f"Two scheduled jobs are named {name!r}")
        _jobs[name] = Job(name=name, title=title, every=every, body=body)
        return body

    return register


def get(name: str) -> Job | None:
    return _jobs.get(name)


def registered() -> list[Job]:
    """Every registered job, in the order the domains registered them."""
    return list(_jobs.values())
