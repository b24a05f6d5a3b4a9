"""Web security: security headers, stored XSS, SQL injection, open redirects and IDOR.

Each threat and the defence these tests prove are listed in docs/security.md ("Web security").
test_page_security.py already covers CSRF on every form and login on every private page,
test_permissions.py the API's permissions by role; the IDOR table here covers the pages.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from conftest import Factory, page_login
from fastapi.testclient import TestClient
from markupsafe import escape
from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from matchmaker.accounts.models import User
from matchmaker.agreements import origins
from matchmaker.agreements import service as agreements
from matchmaker.agreements.models import Agreement
from matchmaker.agreements.schemas import AgreementInput
from matchmaker.enterprises.models import Enterprise
from matchmaker.fields import (
    AgreementType,
    EnterpriseSize,
    IntroductionOrigin,
    IntroductionStatus,
    NeedStatus,
    ProfileStatus,
    Role,
)
from matchmaker.introductions.models import Introduction
from matchmaker.jobs.models import Job
from matchmaker.needs.models import Need
from matchmaker.profiles.models import CapabilityProfile
from matchmaker.resources import web_dir
from matchmaker.security_headers import CONTENT_SECURITY_POLICY, HSTS

# --- security headers --------------------------------------------------------------------------

EXPECTED_HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
}


@pytest.mark.parametrize(
    "path", ["/", "/login", "/needs", "/api/v1/needs", "/healthz", "/static/css/app.css",
             "/static/js/app.js", "/no-such-page", "/api/v1/needs/no-such-need"],
)  # fmt: skip
def test_security_headers_on_pages_api_static_and_errors(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert {name: response.headers.get(name) for name in EXPECTED_HEADERS} == EXPECTED_HEADERS
    assert "camera=()" in response.headers["permissions-policy"]
    assert "strict-transport-security" not in response.headers  # plain http


def test_csp_forbids_inline_scripts_and_framing(client: TestClient) -> None:
    policy = dict(
        part.strip().split(" ", 1)
        for part in client.get("/").headers["content-security-policy"].split(";")
    )
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert "unsafe" not in client.get("/").headers["content-security-policy"]


def test_hsts_only_over_https(app: Any) -> None:
    with TestClient(app, base_url="https://testserver") as secure:
        assert secure.get("/").headers["strict-transport-security"] == HSTS
        assert secure.get("/api/v1/needs").headers["strict-transport-security"] == HSTS
    with TestClient(app) as plain:
        assert "strict-transport-security" not in plain.get("/").headers


def test_api_docs_page_gets_a_policy_for_its_cdn_and_its_own_inline_script(
    client: TestClient,
) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    assert "swagger-ui" in response.text
    policy = response.headers["content-security-policy"]
    script_src = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
    assert "https://cdn.jsdelivr.net" in script_src
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert len(inline) == 1 and f"'sha256-{digest}'" in script_src  # by hash, not unsafe-inline
    assert "unsafe-inline" not in script_src
    assert "frame-ancestors 'none'" in policy
    # Every other page keeps the strict policy.
    assert client.get("/api/openapi.json").headers["content-security-policy"] == (
        CONTENT_SECURITY_POLICY
    )


def test_templates_have_no_inline_scripts_styles_or_handlers() -> None:
    """The strict policy would block them; keep them out of every template."""
    inline = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|<style|\sstyle=|\son[a-z]+=|hx-on", re.I)
    found = {
        str(path.relative_to(web_dir())): inline.findall(path.read_text(encoding="utf-8"))
        for path in (web_dir() / "templates").rglob("*.html")
    }
    assert {name: hits for name, hits in found.items() if hits} == {}


# --- stored XSS --------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
RAW_MARKERS = ("<script>alert", "<img src=x")


@dataclass
class World:
    firm_user: Any
    sme_user: Any
    organiser: Any
    need: Any
    profile: Any
    agreement_id: str
    event_id: str


def _api_client(app: Any, make: Factory, user: Any) -> TestClient:
    client = TestClient(app)
    client.headers.update(make.token_headers(user))
    return client


def _stored_everywhere(app: Any, make: Factory, db: Session, payload: str) -> World:
    """Every free-text field holds the payload, written through the API and the forms."""
    firm = make.enterprise(EnterpriseSize.LARGE)
    sme = make.enterprise()
    firm_user, sme_user = make.user(Role.FIRM, firm), make.user(Role.SME, sme)
    organiser = make.user(Role.ORGANISER)
    firm_api, sme_api = _api_client(app, make, firm_user), _api_client(app, make, sme_user)
    for api, enterprise in ((firm_api, firm), (sme_api, sme)):
        response = api.patch(f"/api/v1/enterprises/{enterprise.id}",
                             json={"name": f"企业{payload}", "description": payload})  # fmt: skip
        assert response.status_code == 200, response.text
    response = firm_api.post("/api/v1/needs", json={
        "type": "supply_chain", "title": f"需求{payload}", "description": payload,
        "requirements": [payload], "publish": True,
    })  # fmt: skip
    assert response.status_code == 201, response.text
    need = db.get(Need, response.json()["id"])
    assert need is not None
    response = sme_api.post("/api/v1/profiles", json={
        "title": f"画像{payload}", "summary": payload, "capabilities": [payload],
        "status": "published",
    })  # fmt: skip
    assert response.status_code == 201, response.text
    profile_id = response.json()["id"]
    pages = TestClient(app)
    csrf = page_login(pages, sme_user.email)
    response = pages.post(f"/needs/{need.id}/answer", follow_redirects=False,
                          data={"profile_id": profile_id, "message": payload, "csrf_token": csrf})  # fmt: skip
    assert response.status_code == 303, response.text
    intro = db.scalar(select(Introduction).where(Introduction.need_id == need.id))
    assert intro is not None
    intro.status = IntroductionStatus.ACCEPTED
    db.commit()
    origin = origins.from_introduction(db, actor=sme_user, introduction_id=intro.id)
    terms = AgreementInput(subject=f"协议{payload}", type=AgreementType.SERVICE,
                           term=payload, clauses=[payload])  # fmt: skip
    agreement = agreements.draft(db, actor=sme_user, origin=origin, data=terms)
    agreements.comment(db, actor=firm_user, agreement_id=agreement.id, body=payload)
    event = make.event(organiser, title=f"活动{payload}", venue=payload)
    db.expire_all()
    profile = db.get(CapabilityProfile, profile_id)
    return World(firm_user, sme_user, organiser, need, profile, agreement.id, event.id)


@pytest.mark.parametrize("payload", [SCRIPT, ATTRIBUTE], ids=["script", "attribute"])
def test_stored_payloads_are_escaped_on_every_page(
    app: Any, make: Factory, db: Session, payload: str
) -> None:
    world = _stored_everywhere(app, make, db, payload)
    need, profile, agreement_id, event_id = (
        world.need,
        world.profile,
        world.agreement_id,
        world.event_id,
    )
    pages_by_user = {
        None: ["/needs", f"/needs/{need.id}", f"/profiles/{profile.id}"],
        world.firm_user: ["/dashboard", "/my/needs", f"/needs/{need.id}",
                          f"/needs/{need.id}/answers", f"/needs/{need.id}/edit",
                          f"/needs/{need.id}/candidates", "/enterprise/edit", "/inbox",
                          "/agreements", f"/agreements/{agreement_id}", f"/events/{event_id}",
                          "/events", f"/profiles/{profile.id}"],
        world.sme_user: ["/dashboard", "/my/profiles", f"/profiles/{profile.id}/edit",
                         "/my/introductions", "/recommendations", "/enterprise/edit",
                         f"/agreements/{agreement_id}", f"/agreements/{agreement_id}/edit",
                         f"/needs/{need.id}", "/events"],
        world.organiser: ["/admin/needs", "/admin/profiles", "/admin/enterprises", "/admin/users",
                    f"/events/{event_id}", f"/events/{event_id}/edit", "/events"],
    }  # fmt: skip
    escaped = str(escape(payload))
    shown: dict[str, bool] = {}
    for user, paths in pages_by_user.items():
        client = TestClient(app)
        if user is not None:
            page_login(client, user.email)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            assert not [m for m in RAW_MARKERS if m in response.text], path
            shown[path] = shown.get(path, False) or escaped in response.text
    # The payload really was on these pages (escaped), so the absence above means something.
    must_show = [f"/needs/{need.id}", f"/profiles/{profile.id}", f"/needs/{need.id}/answers",
                 "/my/introductions", f"/agreements/{agreement_id}", f"/events/{event_id}",
                 "/enterprise/edit", "/my/needs", "/my/profiles", "/needs", "/admin/needs",
                 "/admin/profiles", "/admin/enterprises"]  # fmt: skip
    assert [path for path in must_show if not shown[path]] == []


@pytest.mark.parametrize("payload", [SCRIPT, ATTRIBUTE], ids=["script", "attribute"])
def test_payload_in_query_and_form_values_is_escaped(
    client: TestClient, make: Factory, payload: str
) -> None:
    """Reflected XSS: search terms and a refused form come back escaped."""
    for path in ("/needs", "/login"):
        response = client.get(path, params={"q": payload, "next": f"/needs?q={payload}"})
        assert response.status_code == 200
        assert not [m for m in RAW_MARKERS if m in response.text], path
    assert str(escape(payload)) in client.get("/needs", params={"q": payload}).text
    client.get("/login")
    response = client.post("/login", data={"email": payload, "password": "x",
                                            "csrf_token": client.cookies["mm_csrf"]})  # fmt: skip
    assert response.status_code in (401, 422)
    assert not [m for m in RAW_MARKERS if m in response.text]


def test_uploaded_file_name_in_an_import_error_is_escaped(app: Any, make: Factory) -> None:
    """The invitation list's error names the file; the flash shows it escaped."""
    organiser = make.user(Role.ORGANISER)
    event = make.event(organiser)
    client = TestClient(app)
    csrf = page_login(client, organiser.email)
    response = client.post(
        f"/events/{event.id}/invite/file",
        data={"csrf_token": csrf},
        files={"file": (f"{SCRIPT}.txt", b"type,id\n", "text/plain")},
    )
    assert response.status_code == 200
    assert str(escape(SCRIPT)) in response.text
    assert not [m for m in RAW_MARKERS if m in response.text]


# --- SQL injection -----------------------------------------------------------------------------

INJECTIONS = [
    "' OR 1=1 --",
    "' OR '1'='1",
    '"; DROP TABLE needs; --',
    "%' UNION SELECT id, email, password_hash FROM users --",
    "%",
    "_",
    "\\",
]
HARMLESS = "zzqxnonexistentword"


@pytest.fixture
def seeded(make: Factory) -> dict[str, Any]:
    """Records whose text shares no word with the payloads (no digits, no 'or', no 'select')."""
    firm = make.enterprise(EnterpriseSize.LARGE, name="上海澜芯集成电路制造有限公司")
    sme = make.enterprise(name="上海翎澄检验检测科技有限公司")
    needs = [
        make.need(firm, title="晶圆厂电子特气本地化供应", description="寻找电子特气供应商"),
        make.need(firm, title="危化品仓储配送服务外包", description="危化品仓储与配送",
                  status=NeedStatus.DRAFT),
    ]  # fmt: skip
    make.profile(sme, title="电子特气提纯", summary="高纯电子特气", capabilities=["提纯"],
                 status=ProfileStatus.PUBLISHED)  # fmt: skip
    return {"admin": make.user(Role.ADMIN), "needs": needs}


def _search(client: TestClient, path: str, term: str, headers: dict[str, str]) -> Any:
    response = client.get(path, params={"q": term, "district": term, "tag": term},
                          headers=headers)  # fmt: skip
    assert response.status_code in (200, 422), (path, term, response.status_code)
    if response.status_code == 422:
        return None
    if path.startswith("/api/"):
        body = response.json()
        return body.get("total"), sorted(item["id"] for item in body["items"])
    return response.text  # an HTML page


@pytest.mark.parametrize("payload", INJECTIONS)
def test_sql_injection_in_search_and_filters_finds_nothing_and_drops_nothing(
    app: Any, db: Session, make: Factory, seeded: dict[str, Any], payload: str
) -> None:
    admin = seeded["admin"]
    headers = make.token_headers(admin)
    client = TestClient(app)
    page_login(client, admin.email)
    titles = [need.title for need in seeded["needs"]] + ["电子特气提纯", "上海翎澄检验检测"]
    for path in ("/api/v1/needs", "/api/v1/search/needs", "/api/v1/profiles",
                 "/api/v1/enterprises"):  # fmt: skip
        assert _search(client, path, payload, headers) in (
            None,
            _search(client, path, HARMLESS, headers),
        ), path
    for path in ("/needs", "/admin/needs", "/admin/profiles", "/admin/enterprises",
                 "/admin/users"):  # fmt: skip
        page = _search(client, path, payload, {})
        assert page is None or [t for t in titles if t in page] == [], path
        if path != "/admin/users":  # without a filter the same page does list seeded rows
            assert [t for t in titles if t in client.get(path).text] != [], path
    tables = {Need.__tablename__, User.__tablename__, Enterprise.__tablename__,
              CapabilityProfile.__tablename__}  # fmt: skip
    assert tables <= set(inspect(db.get_bind()).get_table_names())
    assert db.scalar(select(Need).where(Need.id == seeded["needs"][0].id)) is not None


# --- open redirects ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example", "/\\evil.example", "\\\\evil.example",
     "javascript:alert(1)", "/\t/evil.example", " //evil.example", "http:/evil.example",
     "/%2F%2Fevil.example"],
)  # fmt: skip
def test_login_redirect_stays_on_site(client: TestClient, make: Factory, target: str) -> None:
    user = make.user(Role.FIRM, make.enterprise(EnterpriseSize.LARGE))
    client.get("/login", params={"next": target})
    response = client.post("/login", follow_redirects=False, data={
        "email": user.email, "password": "Correct-Horse-42", "next": target,
        "csrf_token": client.cookies["mm_csrf"],
    })  # fmt: skip
    assert response.status_code == 303
    location = response.headers["location"]
    parts = urlsplit(location)
    assert (parts.scheme, parts.netloc) == ("", ""), location
    assert location.startswith("/") and not location.startswith(("//", "/\\")), location


# --- IDOR: enterprise B asks for enterprise A's records ----------------------------------------


@dataclass
class Records:
    need: Any
    draft: Any
    profile: Any
    draft_profile: Any
    intro: Any
    agreement: str
    event: Any
    job: str
    owner_firm: Any
    owner_sme: Any
    organiser: Any


@pytest.fixture
def records(make: Factory, db: Session) -> Records:
    firm = make.enterprise(EnterpriseSize.LARGE)
    sme = make.enterprise()
    firm_user, sme_user = make.user(Role.FIRM, firm), make.user(Role.SME, sme)
    organiser = make.user(Role.ORGANISER)
    need = make.need(firm, title="机密需求甲")
    draft = make.need(firm, title="草稿需求甲", status=NeedStatus.DRAFT)
    profile = make.profile(sme, title="画像甲")
    draft_profile = make.profile(sme, title="草稿画像甲", status=ProfileStatus.DRAFT)
    intro = Introduction(id=f"intro-{need.id}", need_id=need.id, profile_id=profile.id,
                         origin=IntroductionOrigin.INVITATION,
                         status=IntroductionStatus.PENDING, message="机密留言甲")  # fmt: skip
    db.add(intro)
    db.commit()
    accepted = Introduction(id=f"intro-{draft.id}", need_id=draft.id, profile_id=profile.id,
                            origin=IntroductionOrigin.INVITATION,
                            status=IntroductionStatus.ACCEPTED, message="欢迎")  # fmt: skip
    db.add(accepted)
    db.commit()
    origin = origins.from_introduction(db, actor=sme_user, introduction_id=accepted.id)
    agreement = agreements.draft(db, actor=sme_user, origin=origin, data=AgreementInput(
        subject="机密协议甲", type=AgreementType.SERVICE, clauses=["条款甲"]))  # fmt: skip
    event = make.event(organiser, title="活动甲")
    job = Job(id="job-secret", kind="events.export", params={"event_id": event.id},
              created_by=firm_user.id, message="机密任务甲")  # fmt: skip
    db.add(job)
    db.commit()
    return Records(need, draft, profile, draft_profile, intro, agreement.id, event, job.id,
                   firm_user, sme_user, organiser)  # fmt: skip


# (who of enterprise B, method, path); {need} etc. are enterprise A's records.
IDOR_ROUTES = [
    ("firm", "GET", "/needs/{draft}"),
    ("firm", "GET", "/needs/{need}/edit"),
    ("firm", "POST", "/needs/{need}/edit"),
    ("firm", "GET", "/needs/{need}/candidates"),
    ("firm", "GET", "/needs/{need}/answers"),
    ("firm", "POST", "/needs/{need}/close"),
    ("firm", "POST", "/needs/{draft}/publish"),
    ("firm", "POST", "/needs/{need}/duplicate"),
    ("firm", "POST", "/needs/{need}/candidates/{profile}/invite"),
    ("firm", "POST", "/needs/{need}/candidates/{profile}/decision"),
    ("sme", "GET", "/profiles/{draft_profile}"),
    ("sme", "GET", "/profiles/{profile}/edit"),
    ("sme", "POST", "/profiles/{profile}/edit"),
    ("sme", "POST", "/needs/{need}/answer"),
    ("sme", "POST", "/introductions/{intro}/accept"),
    ("sme", "POST", "/introductions/{intro}/decline"),
    ("firm", "POST", "/introductions/{intro}/accept"),
    ("firm", "GET", "/agreements/{agreement}"),
    ("sme", "GET", "/agreements/{agreement}"),
    ("sme", "GET", "/agreements/{agreement}/edit"),
    ("sme", "POST", "/agreements/{agreement}/edit"),
    ("firm", "POST", "/agreements/{agreement}/comments"),
    ("firm", "POST", "/agreements/{agreement}/approve"),
    ("firm", "POST", "/agreements/{agreement}/sign"),
    ("sme", "GET", "/agreements/{agreement}/certificate.pdf"),
    ("firm", "GET", "/events/{event}/edit"),
    ("firm", "GET", "/events/{event}/dashboard"),
    ("firm", "GET", "/events/{event}/dashboard.xlsx"),
    ("firm", "GET", "/events/{event}/participants"),
    ("firm", "GET", "/events/{event}/export/runsheet.xlsx"),
    ("firm", "GET", "/events/{event}/export/shortlists.csv"),
    ("organiser", "GET", "/events/{event}/edit"),
    ("organiser", "GET", "/events/{event}/export/runsheet.xlsx"),
    ("organiser", "GET", "/events/{event}/export/shortlists.csv"),
    ("organiser", "GET", "/events/{event}/dashboard.xlsx"),
    ("organiser", "POST", "/events/{event}/status"),
    ("firm", "GET", "/jobs/{job}"),
    ("firm", "GET", "/jobs/{job}/status"),
    ("firm", "GET", "/jobs/{job}/download"),
    ("sme", "GET", "/jobs/{job}"),
]
SECRETS = ("机密需求甲", "草稿需求甲", "草稿画像甲", "机密留言甲", "机密协议甲", "条款甲", "机密任务甲")  # fmt: skip


@pytest.mark.parametrize(("who", "method", "template"), IDOR_ROUTES)
def test_other_enterprise_cannot_reach_records_by_id(
    app: Any, make: Factory, db: Session, records: Records, who: str, method: str, template: str
) -> None:
    intruder = {
        "firm": lambda: make.user(Role.FIRM, make.enterprise(EnterpriseSize.LARGE)),
        "sme": lambda: make.user(Role.SME, make.enterprise()),
        "organiser": lambda: make.user(Role.ORGANISER),
    }[who]()
    own = db.get(Enterprise, intruder.enterprise_id or "")
    if own is not None and who == "sme":  # a published profile of its own, to answer with
        make.profile(own)
    path = template.format(**_ids(records))
    client = TestClient(app)
    csrf = page_login(client, intruder.email)
    before = _state(db, records)
    if method == "GET":
        response = client.get(path, follow_redirects=False)
    else:
        # Valid values for every form, so a refusal comes from the permission check.
        reason = "filled" if path.endswith("/close") else ""
        response = client.post(path, follow_redirects=False, data={
            "csrf_token": csrf, "title": "改写", "message": "x", "password": "Correct-Horse-42",
            "version": "1", "body": "x", "status": "finished", "profile_id": records.profile.id,
            "decision": "shortlisted", "subject": "改写", "type": "service", "reason": reason,
        })  # fmt: skip
    assert response.status_code in (403, 404), (path, response.status_code, response.text[:300])
    assert [s for s in SECRETS if s in response.text] == []
    db.expire_all()
    assert _state(db, records) == before  # nothing changed


def _ids(records: Records) -> dict[str, str]:
    return {"need": records.need.id, "draft": records.draft.id, "profile": records.profile.id,
            "draft_profile": records.draft_profile.id, "intro": records.intro.id,
            "agreement": records.agreement, "event": records.event.id, "job": records.job}  # fmt: skip


def _state(db: Session, records: Records) -> tuple[Any, ...]:
    need, draft = db.get(Need, records.need.id), db.get(Need, records.draft.id)
    intro = db.get(Introduction, records.intro.id)
    agreement = db.get(Agreement, records.agreement)
    assert need is not None and draft is not None and intro is not None and agreement is not None
    counts = db.query(Need).count(), db.query(Introduction).count()
    return (need.title, need.status, draft.status, intro.status, agreement.version,
            agreement.status, records.event.status, counts)  # fmt: skip


@pytest.mark.parametrize(
    "template", sorted({t for _, m, t in IDOR_ROUTES if m == "GET" and "download" not in t})
)
def test_owner_reaches_the_same_records(app: Any, records: Records, template: str) -> None:
    """The control for the table above: the refusals come from ownership, not broken links."""
    if template.startswith("/events/"):
        owner = records.organiser
    elif template.startswith(("/profiles/", "/agreements/{agreement}/")):
        owner = records.owner_sme
    else:
        owner = records.owner_firm
    client = TestClient(app)
    page_login(client, owner.email)
    response = client.get(template.format(**_ids(records)), follow_redirects=False)
    assert response.status_code not in (403, 404), (template, response.status_code)
