"""A job's page: its progress bar refreshes itself (htmx) until the job is done or failed."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

from matchmaker.errors import NotFound
from matchmaker.exports.base import content_disposition
from matchmaker.i18n import N_
from matchmaker.jobs import registry, service
from matchmaker.jobs.models import Job, JobStatus
from matchmaker.portal import Portal, PortalDep

router = APIRouter(include_in_schema=False)
STATUS_LABELS = {
    JobStatus.QUEUED: N_("Waiting for a worker"),
    JobStatus.RUNNING: N_("Running"),
    JobStatus.DONE: N_("Done"),
    JobStatus.FAILED: N_("Failed"),
}
POLL_SECONDS = 2


def _render(portal: Portal, name: str, job: Job) -> Response:
    context = {
        "job": job,
        "kind_label": registry.label(job.kind),
        "status_label": STATUS_LABELS[job.status],
        "download": download_file(job) is not None,
        "poll_seconds": POLL_SECONDS,
    }
    return portal.render(name, context)


@router.get("/jobs/{job_id}")
def job_page(portal: PortalDep, job_id: str) -> Response:
    user = portal.require_user()
    return _render(portal, "jobs/show.html", service.visible(portal.db, actor=user, job_id=job_id))


@router.get("/jobs/{job_id}/status")
def job_status(portal: PortalDep, job_id: str) -> Response:
    """The part of the page that htmx polls every two seconds."""
    user = portal.require_user()
    job = service.visible(portal.db, actor=user, job_id=job_id)
    return _render(portal, "jobs/_status.html", job)


@router.get("/jobs/{job_id}/download")
def job_download(portal: PortalDep, job_id: str) -> Response:
    """The file an export job wrote, sent like the event's direct downloads."""
    user = portal.require_user()
    job = service.visible(portal.db, actor=user, job_id=job_id)
    path = download_file(job)
    if path is None or job.result is None:
        raise NotFound(N_("This job has no file to download."))
    name = str(job.result.get("filename") or path.name)
    return FileResponse(
        path,
        media_type=str(job.result.get("content_type") or "application/octet-stream"),
        headers={
            "Content-Disposition": content_disposition(name, f"{job.id}{path.suffix}"),
            "Cache-Control": "no-store",
        },
    )


def download_file(job: Job) -> Path | None:
    """The file of a finished export job, if it is still there."""
    if job.status is not JobStatus.DONE or not job.result or job.kind != "events.export":
        return None
    path = Path(str(job.result.get("path") or ""))
    return path if path.name and path.is_file() else None
