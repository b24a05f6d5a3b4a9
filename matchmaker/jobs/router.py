"""The jobs API: a job's status and progress as JSON, for scripts that submitted one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel

from matchmaker.api import problems
from matchmaker.deps import CurrentUser, SessionDep
from matchmaker.jobs import service
from matchmaker.jobs.models import Job, JobStatus
from matchmaker.jobs.pages import download_file

router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])


class JobOut(BaseModel):
    id: str
    kind: str
    status: JobStatus
    progress: int
    total: int | None
    percent: int | None
    message: str
    result: dict[str, Any] | None
    error: str | None
    attempts: int
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    download_url: str | None

    @classmethod
    def of(cls, job: Job) -> JobOut:
        result = (
            None if job.result is None else {k: v for k, v in job.result.items() if k != "path"}
        )
        return cls(
            id=job.id, kind=job.kind, status=job.status, progress=job.progress, total=job.total,
            percent=job.percent, message=job.message, result=result, error=job.error,
            attempts=job.attempts, created_at=job.created_at, started_at=job.started_at,
            finished_at=job.finished_at,
            download_url=f"/jobs/{job.id}/download" if download_file(job) else None,
        )  # fmt: skip


@router.get("/{job_id}", response_model=JobOut, responses=problems(401, 404))
def read_job(db: SessionDep, user: CurrentUser, job_id: str) -> JobOut:
    """A job's status and progress: for its creator, organisers and admins."""
    return JobOut.of(service.visible(db, actor=user, job_id=job_id))
