"""Jobs registered by their domains: the scheduler runs them, the cron router lists and triggers them by name."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest

from aigc.core.config import load_settings, reset_settings_cache
from aigc.scheduler import registry
from aigc.scheduler.models import JobRun
from aigc.scheduler.registry import JobContext
from aigc.scheduler.scheduler import PlatformScheduler
from aigc.users.models import Role
from tests.factories import signed_in_user

JOBS = "/api/v1/platform/cron/jobs"


@pytest.fixture
def counting_job() -> Iterator[list[JobContext]]:
    """A job registered the way a domain registers one; removed again after the test."""
    calls: list[JobContext] = []

    @registry.job("count-calls", title="Count calls", every=lambda settings: timedelta(minutes=5))
    async def count(context: JobContext, run: JobRun) -> None:
        calls.append(context)
        run.users_considered = len(calls)

    yield calls
    registry._jobs.pop("count-calls")


async def test_the_scheduler_runs_what_is_registered(counting_job: list[JobContext]) -> None:
    scheduler = PlatformScheduler(load_settings(scheduler_enabled=True))
    scheduler.start()
    try:
        assert scheduler.intervals()["count-calls"] == 300
        assert "retention" not in scheduler.intervals()  # registered, but off without RETENTION_* settings
    finally:
        scheduler.shutdown()


def test_two_jobs_cannot_share_a_name(counting_job: list[JobContext]) -> None:
    with pytest.raises(ValueError, match="count-calls"):

        @registry.job("count-calls", title="Another", every=lambda settings: None)
        async def other(context: JobContext, run: JobRun) -> None:
            return None


class TestRunJob:
    async def test_anonymous_and_forbidden(self, client: httpx.AsyncClient) -> None:
        user = await signed_in_user(client)
        assert (await client.post(f"{JOBS}/learn-preferences/run")).status_code == 401
        assert (await client.post(f"{JOBS}/learn-preferences/run", headers=user.headers)).status_code == 403

    async def test_an_admin_triggers_a_registered_job_by_name(
        self, client: httpx.AsyncClient, counting_job: list[JobContext]
    ) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        response = await client.post(f"{JOBS}/count-calls/run", headers=admin.headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["job_name"] == "count-calls" and body["status"] == "ok" and body["trigger"] == "manual"
        assert body["users_considered"] == 1 and counting_job[0].app_state is not None
        listed = {job["id"]: job for job in (await client.get(JOBS, headers=admin.headers)).json()}
        assert listed["count-calls"]["interval_seconds"] == 300
        assert listed["count-calls"]["recent_runs"][0]["id"] == body["id"]

    async def test_unknown_and_disabled_jobs(self, client: httpx.AsyncClient) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        unknown = await client.post(f"{JOBS}/no-such-job/run", headers=admin.headers)
        assert unknown.status_code == 404 and "learn-preferences" in unknown.json()["message"]
        off = await client.post(f"{JOBS}/retention/run", headers=admin.headers)
        assert off.status_code == 409 and off.json()["code"] == "job_disabled"
        listed = [job["id"] for job in (await client.get(JOBS, headers=admin.headers)).json()]
        assert listed == ["learn-preferences"]

    async def test_retention_runs_when_configured(
        self, client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        admin = await signed_in_user(client, role=Role.admin)
        monkeypatch.setenv("RETENTION_ARCHIVE_AFTER_DAYS", "30")
        reset_settings_cache()
        response = await client.post(f"{JOBS}/retention/run", headers=admin.headers)
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "ok" and response.json()["job_name"] == "retention"
        listed = {job["id"]: job for job in (await client.get(JOBS, headers=admin.headers)).json()}
        assert listed["retention"]["interval_seconds"] == 24 * 3600
