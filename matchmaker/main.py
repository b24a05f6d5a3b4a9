"""Build the FastAPI application: routers, templates, static files, error handlers."""

from __future__ import annotations

import hashlib

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from matchmaker import __version__, handlers, health, i18n, labels, migrate
from matchmaker.accounts.pages import router as account_pages
from matchmaker.admin.pages import router as admin_pages
from matchmaker.agreements.pages import router as agreement_pages
from matchmaker.api import build_api_router, document_problems
from matchmaker.audit.context import AuditContextMiddleware
from matchmaker.audit.pages import router as audit_pages
from matchmaker.audit.router import router as audit_api
from matchmaker.body_limit import BodyLimitMiddleware
from matchmaker.bus import bus_for
from matchmaker.cache import cache_for
from matchmaker.config import Settings, load_settings
from matchmaker.db import Database
from matchmaker.enterprises.pages import router as enterprise_pages
from matchmaker.events.dashboard_pages import router as event_dashboard_pages
from matchmaker.events.export_pages import router as event_export_pages
from matchmaker.events.meeting_pages import router as event_meeting_pages
from matchmaker.events.pages import router as event_pages
from matchmaker.events.shortlist_pages import router as event_shortlist_pages
from matchmaker.introductions.pages import router as introduction_pages
from matchmaker.jobs import queue_for
from matchmaker.jobs.pages import router as job_pages
from matchmaker.jobs.router import router as job_api
from matchmaker.jobs.runner import lifespan as jobs_lifespan
from matchmaker.mail import mailer_for
from matchmaker.matching.cached import ResultCache
from matchmaker.matching.rankings import Rankings
from matchmaker.needs.candidate_pages import router as candidate_pages
from matchmaker.needs.pages import router as need_pages
from matchmaker.notifications.pages import router as notification_pages
from matchmaker.pages import router as pages_router
from matchmaker.privacy.pages import router as privacy_pages
from matchmaker.privacy.router import router as privacy_api
from matchmaker.profiles.pages import router as profile_pages
from matchmaker.ratelimit import limiter_for
from matchmaker.resources import web_dir
from matchmaker.search.pages import router as search_pages
from matchmaker.searchengine.backends import matching_service_for, search_service_for
from matchmaker.security_headers import SecurityHeadersMiddleware

API_DESCRIPTION = """
matchmaker connects large enterprises' needs (技术研发, 供应链, 投资, 孵化, 服务) with SMEs'
capability profiles. Authenticate with a session cookie (POST /api/v1/auth/login; writes then
need the X-CSRF-Token header) or a personal API token (`Authorization: Bearer mm_...`).
Errors are `application/problem+json` (RFC 9457); `errors` names each invalid field.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = (settings or load_settings()).prepared()
    database = Database(
        settings.db_url,
        pool_size=settings.database_pool_size,
        pool_timeout=settings.database_pool_timeout_seconds,
    )
    migrate.upgrade(database)

    app = FastAPI(
        title="matchmaker",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=jobs_lifespan,  # the in-process job worker, when there is no Redis
    )
    app.state.settings = settings
    app.state.database = database
    # In process, or on Elasticsearch/OpenSearch when MATCHMAKER_SEARCH_URL is set.
    app.state.matching = matching_service_for(settings)
    app.state.search = search_service_for(settings)
    app.state.mailer = mailer_for(settings)
    app.state.limiter = limiter_for(settings)
    # Ranked match results, shared by every process through Redis when configured.
    namespace = hashlib.sha256(settings.secret.encode()).hexdigest()[:16]
    app.state.results = ResultCache(cache_for(settings), settings.result_cache_seconds, namespace)
    app.state.rankings = Rankings(app.state.matching, app.state.results)
    app.state.bus = bus_for(settings)  # Redis when configured, so processes share the wall
    app.state.jobs = queue_for(settings)  # Redis: `matchmaker worker` processes run the jobs
    templates = Jinja2Templates(directory=web_dir() / "templates")
    i18n.install(templates.env)
    labels.install(templates.env)
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=web_dir() / "static"), name="static")
    app.include_router(health.router)
    app.include_router(build_api_router())
    app.include_router(job_api)
    app.include_router(audit_api)
    app.include_router(privacy_api)
    app.include_router(pages_router)
    # Search comes before need pages so /needs (the search page) is not read as a need id.
    for router in (
        search_pages,
        account_pages,
        need_pages,
        candidate_pages,
        profile_pages,
        enterprise_pages,
        introduction_pages,
        notification_pages,
        admin_pages,
        event_pages,
        event_shortlist_pages,
        event_meeting_pages,
        event_export_pages,
        event_dashboard_pages,
        agreement_pages,
        job_pages,
        audit_pages,
        privacy_pages,
    ):
        app.include_router(router)
    handlers.install(app)
    document_problems(app)
    app.add_middleware(
        BodyLimitMiddleware,
        body_bytes=settings.max_body_bytes,
        upload_bytes=settings.max_upload_bytes,
    )
    app.add_middleware(AuditContextMiddleware)  # the client address for audit events
    app.add_middleware(SecurityHeadersMiddleware)  # CSP and friends (docs/security.md)
    return app
