"""Candidates, decisions, invitations and answers: the firm–SME journey over the pages."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import page_login
from fastapi.testclient import TestClient
from sqlalchemy import select

from matchmaker.fields import Decision, DismissReason, EnterpriseSize, IntroductionStatus, Role
from matchmaker.introductions.models import Introduction
from matchmaker.notifications.models import Notification
from matchmaker.shortlists import service as shortlists
from matchmaker.shortlists.models import CandidateDecision


@pytest.fixture
def scene(make: Any, app: Any) -> dict[str, Any]:
    """A firm with an open need for electronic gases and two SMEs that could serve it."""
    firm = make.enterprise(EnterpriseSize.LARGE, name="上海测试集成电路制造有限公司")
    need = make.need(
        firm,
        title="12英寸晶圆厂电子特气本地化供应",
        description="寻找高纯NF3、WF6电子特气供应商，需具备ISO 9001认证",
        certifications=["ISO 9001"],
    )
    gas = make.enterprise(name="上海测试特气有限公司", contact_phone="021-61234567")
    gas_profile = make.profile(
        gas,
        title="高纯电子特气NF3/WF6供应",
        summary="为晶圆厂提供高纯电子特气NF3、WF6的提纯、充装与配送",
        capabilities=["电子特气提纯", "钢瓶充装"],
        certifications=["ISO 9001"],
        open_to=["supply_chain"],
    )
    other = make.enterprise(name="上海测试纺织有限公司", district="松江区")
    other_profile = make.profile(
        other, title="针织面料定制", summary="时尚针织面料研发与生产", capabilities=["针织"]
    )
    return {
        "firm": firm,
        "firm_user": make.user(Role.FIRM, firm),
        "need": need,
        "gas": gas,
        "gas_profile": gas_profile,
        "gas_user": make.user(Role.SME, gas),
        "other_profile": other_profile,
    }


def test_candidate_page_ranks_explains_and_draws_the_chain(
    client: TestClient, scene: dict[str, Any]
) -> None:
    page_login(client, scene["firm_user"].email)
    page = client.get(f"/needs/{scene['need'].id}/candidates")
    assert page.status_code == 200
    text = page.text
    assert text.index("高纯电子特气NF3/WF6供应") < text.index("针织面料定制")
    assert "具备所需认证：ISO 9001" in text
    assert '<svg class="chain-path"' in text and "node--" in text
    assert "021-61234567" not in text  # contacts stay hidden before both sides agree


def test_candidate_filters_narrow_the_list(client: TestClient, scene: dict[str, Any]) -> None:
    page_login(client, scene["firm_user"].email)
    url = f"/needs/{scene['need'].id}/candidates"
    text = client.get(url, params={"district": "松江区"}).text
    assert "针织面料定制" in text and "高纯电子特气NF3/WF6供应" not in text
    text = client.get(url, params={"certification": "ISO 9001"}).text
    assert "高纯电子特气NF3/WF6供应" in text and "针织面料定制" not in text
    partial = client.get(url, params={"min_score": 100}, headers={"HX-Request": "true"})
    assert "<html" not in partial.text and "高纯电子特气NF3/WF6供应" not in partial.text


@pytest.mark.parametrize("role", [Role.SME, None])
def test_candidate_page_is_only_for_the_firm(
    client: TestClient, scene: dict[str, Any], make: Any, role: Role | None
) -> None:
    if role is not None:
        page_login(client, make.user(role, make.enterprise()).email)
    response = client.get(f"/needs/{scene['need'].id}/candidates", follow_redirects=False)
    assert response.status_code == (403 if role else 303)


def test_dismiss_needs_a_reason_and_is_kept_as_feedback(
    client: TestClient, scene: dict[str, Any], db: Any
) -> None:
    csrf = page_login(client, scene["firm_user"].email)
    need, profile = scene["need"], scene["other_profile"]
    url = f"/needs/{need.id}/candidates/{profile.id}/decision"
    client.post(url, data={"csrf_token": csrf, "decision": "dismissed", "reason": ""})
    assert db.get(CandidateDecision, (need.id, profile.id)) is None
    client.post(
        url,
        data={
            "csrf_token": csrf,
            "decision": "dismissed",
            "reason": "wrong_segment",
            "score": "12",
        },
    )
    db.expire_all()
    row = db.get(CandidateDecision, (need.id, profile.id))
    assert (row.decision, row.dismiss_reason) == (Decision.DISMISSED, DismissReason.WRONG_SEGMENT)
    assert [(f.profile_id, f.grade, f.reason) for f in shortlists.feedback(db)] == [
        (profile.id, 0, "wrong_segment")
    ]
    page = client.get(f"/needs/{need.id}/candidates").text
    assert "针织面料定制" not in page  # dismissed ones are hidden unless asked for
    assert "针织面料定制" in client.get(f"/needs/{need.id}/candidates?show=all").text


def test_decision_without_csrf_changes_nothing(
    client: TestClient, scene: dict[str, Any], db: Any
) -> None:
    page_login(client, scene["firm_user"].email)
    need, profile = scene["need"], scene["gas_profile"]
    response = client.post(
        f"/needs/{need.id}/candidates/{profile.id}/decision", data={"decision": "shortlisted"}
    )
    assert response.status_code == 403
    assert db.get(CandidateDecision, (need.id, profile.id)) is None


def test_invitation_accepted_shares_contacts_both_ways(
    app: Any, scene: dict[str, Any], db: Any
) -> None:
    need, profile = scene["need"], scene["gas_profile"]
    with TestClient(app) as firm, TestClient(app) as sme:
        firm_csrf = page_login(firm, scene["firm_user"].email)
        firm.post(
            f"/needs/{need.id}/candidates/{profile.id}/decision",
            data={"csrf_token": firm_csrf, "decision": "shortlisted"},
        )
        firm.post(
            f"/needs/{need.id}/candidates/{profile.id}/invite",
            data={"csrf_token": firm_csrf, "message": "欢迎来厂交流"},
        )
        sme_csrf = page_login(sme, scene["gas_user"].email)
        assert "欢迎来厂交流" in sme.get("/my/introductions").text
        kinds = db.scalars(
            select(Notification.kind).where(Notification.user_id == scene["gas_user"].id)
        ).all()
        assert kinds == ["invitation"]
        intro = db.scalar(select(Introduction).where(Introduction.need_id == need.id))
        sme.post(
            f"/introductions/{intro.id}/accept",
            data={"csrf_token": sme_csrf, "next": "/my/introductions"},
        )
        db.expire_all()
        assert db.get(Introduction, intro.id).status is IntroductionStatus.ACCEPTED
        assert "021-61234567" in firm.get(f"/needs/{need.id}/candidates").text
        assert scene["firm"].contact_phone in sme.get(f"/needs/{need.id}").text


def test_answer_declined_with_reason_reaches_the_sme(
    app: Any, scene: dict[str, Any], db: Any
) -> None:
    need, profile = scene["need"], scene["gas_profile"]
    with TestClient(app) as firm, TestClient(app) as sme:
        sme_csrf = page_login(sme, scene["gas_user"].email)
        empty = sme.post(
            f"/needs/{need.id}/answer",
            data={"csrf_token": sme_csrf, "profile_id": profile.id, "message": " "},
        )
        assert empty.status_code == 200 and db.scalar(select(Introduction.id)) is None
        sme.post(
            f"/needs/{need.id}/answer",
            data={"csrf_token": sme_csrf, "profile_id": profile.id, "message": "可月供20吨"},
        )
        firm_csrf = page_login(firm, scene["firm_user"].email)
        answers = firm.get(f"/needs/{need.id}/answers").text
        assert "可月供20吨" in answers
        intro = db.scalar(select(Introduction))
        firm.post(
            f"/introductions/{intro.id}/decline",
            data={"csrf_token": firm_csrf, "reason": "产能不足", "next": "/"},
        )
        mine = sme.get("/my/introductions").text
        assert "产能不足" in mine
        assert "021-61234567" not in firm.get(f"/needs/{need.id}/answers").text


def test_only_the_receiving_side_can_accept(app: Any, scene: dict[str, Any], db: Any) -> None:
    need, profile = scene["need"], scene["gas_profile"]
    with TestClient(app) as sme:
        csrf = page_login(sme, scene["gas_user"].email)
        sme.post(
            f"/needs/{need.id}/answer",
            data={"csrf_token": csrf, "profile_id": profile.id, "message": "可供货"},
        )
        intro = db.scalar(select(Introduction))
        response = sme.post(f"/introductions/{intro.id}/accept", data={"csrf_token": csrf})
        assert response.status_code == 403
        db.expire_all()
        assert db.get(Introduction, intro.id).status is IntroductionStatus.PENDING


def test_editing_a_published_need_tells_involved_smes_what_changed(
    app: Any, scene: dict[str, Any], db: Any
) -> None:
    need, profile = scene["need"], scene["gas_profile"]
    with TestClient(app) as firm, TestClient(app) as sme:
        sme_csrf = page_login(sme, scene["gas_user"].email)
        sme.post(
            f"/needs/{need.id}/answer",
            data={"csrf_token": sme_csrf, "profile_id": profile.id, "message": "可供货"},
        )
        firm_csrf = page_login(firm, scene["firm_user"].email)
        form = {
            "csrf_token": firm_csrf,
            "type": "supply_chain",
            "title": need.title,
            "description": need.description,
            "certifications": "ISO 9001",
            "budget_max": "800",
        }
        firm.post(f"/needs/{need.id}/edit", data=form)
        inbox = sme.get("/inbox").text
        assert "—</del> → <ins>800</ins>" in inbox
        assert '<span class="badge badge--unread">1' in inbox
        sme.post("/inbox/read", data={"csrf_token": sme_csrf})
        assert "badge--unread" not in sme.get("/inbox").text


def test_publishing_a_need_alerts_smes_with_a_strong_match(
    client: TestClient, make: Any, db: Any
) -> None:
    firm = make.enterprise(EnterpriseSize.LARGE)
    user = make.user(Role.FIRM, firm)
    gas = make.enterprise()
    make.profile(
        gas,
        title="高纯电子特气NF3/WF6供应",
        summary="为12英寸晶圆厂提供高纯电子特气NF3、WF6，含提纯、充装与配送",
        capabilities=["电子特气提纯", "钢瓶充装", "气体配送"],
        certifications=["ISO 9001"],
        open_to=["supply_chain"],
        regions=["上海"],
    )
    sme = make.user(Role.SME, gas)
    bystander = make.user(Role.SME, make.enterprise())
    draft = make.need(
        firm,
        status="draft",
        title="12英寸晶圆厂电子特气NF3/WF6本地化供应",
        description="寻找电子特气NF3、WF6供应商，负责提纯、充装与配送",
        certifications=["ISO 9001"],
        regions=["上海"],
    )
    csrf = page_login(client, user.email)
    client.post(f"/needs/{draft.id}/publish", data={"csrf_token": csrf})
    alerts = db.scalars(select(Notification).where(Notification.kind == "strong_match")).all()
    assert [a.user_id for a in alerts] == [sme.id]
    assert alerts[0].params["score"] >= 70
    assert bystander.id not in {a.user_id for a in alerts}
