"""Event shortlists: built together by the engine, kept by decisions, shown to the organiser."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
from conftest import Factory, page_login
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from matchmaker.cli import app as cli_app
from matchmaker.config import Settings
from matchmaker.errors import Forbidden, InvalidState, NotFound
from matchmaker.events import shortlists
from matchmaker.events.allocation import Pair, allocate
from matchmaker.events.models import ShortlistEntry
from matchmaker.fields import EnterpriseSize, EventStatus, Participation, Role
from matchmaker.matching.service import MatchingService

GAS = "高纯电子特气NF3、WF6的提纯、充装与配送，服务12英寸晶圆厂"


@pytest.fixture
def scene(make: Factory, app: Any) -> dict[str, Any]:
    """An event with two accepted needs for electronic gases, four SMEs and some who left."""
    organiser = make.user(Role.ORGANISER)
    event = make.event(organiser, shortlist_size=2, sme_capacity=1)
    firm = make.enterprise(EnterpriseSize.LARGE, name="上海测试集成电路制造有限公司")
    needs = [
        make.need(firm, title="12英寸晶圆厂电子特气本地化供应", description="寻找高纯NF3、WF6电子特气供应商",
                  certifications=["ISO 9001"]),
        make.need(firm, title="电子特气钢瓶充装与配送", description="寻找电子特气充装、配送服务商"),
    ]  # fmt: skip
    profiles = [
        make.profile(make.enterprise(name=f"上海测试特气{i}有限公司"), title=f"电子特气供应{i}",
                     summary=GAS, capabilities=["电子特气提纯", "钢瓶充装"],
                     certifications=["ISO 9001"] if i == 0 else [], open_to=["supply_chain"])
        for i in range(3)
    ]  # fmt: skip
    profiles.append(
        make.profile(make.enterprise(name="上海测试纺织有限公司"), title="针织面料定制",
                     summary="时尚针织面料研发与生产", capabilities=["针织"])
    )  # fmt: skip
    for need in needs:
        make.event_need(event, need)
    for profile in profiles:
        make.event_sme(event, profile)
    invited = make.need(firm, title="电子特气尾气处理")
    make.event_need(event, invited, Participation.INVITED)
    declined = make.profile(make.enterprise(), title="电子特气检测", summary=GAS)
    make.event_sme(event, declined, Participation.DECLINED)
    return {
        "organiser": organiser,
        "event": event,
        "needs": needs,
        "profiles": profiles,
        "invited": invited,
        "declined": declined,
        "matching": app.state.matching,
    }


def entries(db: Session, event_id: str) -> dict[tuple[str, str], ShortlistEntry]:
    db.expire_all()
    rows = db.scalars(select(ShortlistEntry).where(ShortlistEntry.event_id == event_id))
    return {(e.need_id, e.profile_id): e for e in rows}


def build(db: Session, scene: dict[str, Any]) -> shortlists.Overview:
    return shortlists.build(
        db, scene["matching"], actor=scene["organiser"], event_id=scene["event"].id
    )


def on_list(db: Session, event_id: str) -> set[tuple[str, str]]:
    return {key for key, e in entries(db, event_id).items() if not e.removed}


def test_match_profiles_scores_given_profiles_as_match_does(
    db: Session, scene: dict[str, Any]
) -> None:
    matching: MatchingService = scene["matching"]
    need_id = scene["needs"][0].id
    wanted = [p.id for p in scene["profiles"][1:]] + ["no-such-profile"]
    some = matching.match_profiles(db, need_id, wanted)
    everyone = {m.profile_id: m for m in matching.match(db, need_id, 500)}
    assert [m.profile_id for m in some] == [
        m for m in everyone if m in wanted
    ]  # same order, unknown ids left out
    assert some == [everyone[m.profile_id] for m in some]
    with pytest.raises(NotFound):
        matching.match_profiles(db, "no-such-need", wanted)


def test_build_fills_shortlists_within_capacity_from_participants_only(
    db: Session, scene: dict[str, Any]
) -> None:
    overview = build(db, scene)

    stored = entries(db, scene["event"].id)
    per_need = Counter(need_id for need_id, _ in stored)
    per_sme = Counter(profile_id for _, profile_id in stored)
    assert set(per_need) == {n.id for n in scene["needs"]}
    assert max(per_need.values()) <= 2 and max(per_sme.values()) == 1
    assert scene["declined"].id not in per_sme
    assert [s.need.id for s in overview.needs] == sorted(
        (n.id for n in scene["needs"]),
        key=lambda i: next(n.title for n in scene["needs"] if n.id == i),
    )
    assert overview.total == sum(e.score for e in stored.values())
    assert {load.profile.id: (load.count, load.capacity) for load in overview.loads} == {
        p.id: (per_sme[p.id], 1) for p in scene["profiles"]
    }


def test_entries_keep_score_rank_and_reasons_as_data(db: Session, scene: dict[str, Any]) -> None:
    overview = build(db, scene)
    matching: MatchingService = scene["matching"]
    for shortlist in overview.needs:
        assert [row.entry.rank for row in shortlist.rows] == list(range(1, len(shortlist.rows) + 1))
        scores = [row.entry.score for row in shortlist.rows]
        assert scores == sorted(scores, reverse=True)
        for row in shortlist.rows:
            [match] = matching.match_profiles(db, shortlist.need.id, [row.profile.id])
            assert row.entry.score == match.score and row.band == match.band
            assert row.entry.reasons == json.loads(json.dumps(row.entry.reasons))
            assert row.reasons == match.explained


def test_rebuild_keeps_pins_and_never_brings_back_removed(
    db: Session, scene: dict[str, Any]
) -> None:
    event_id, actor = scene["event"].id, scene["organiser"]
    build(db, scene)
    first = sorted(on_list(db, event_id))
    removed, kept = first[0], first[-1]
    shortlists.remove(db, actor=actor, event_id=event_id, need_id=removed[0], profile_id=removed[1])
    shortlists.pin(db, actor=actor, event_id=event_id, need_id=kept[0], profile_id=kept[1])

    shortlists.regenerate(db, scene["matching"], actor=actor, event_id=event_id)

    stored = entries(db, event_id)
    assert stored[kept].pinned and not stored[kept].removed
    assert stored[removed].removed  # the decision itself is kept, off the list
    assert removed not in on_list(db, event_id)
    shortlists.restore(
        db, actor=actor, event_id=event_id, need_id=removed[0], profile_id=removed[1]
    )
    assert not entries(db, event_id)[removed].removed


def test_rebuild_is_the_best_whole_around_the_decisions(db: Session, scene: dict[str, Any]) -> None:
    event_id, actor, matching = scene["event"].id, scene["organiser"], scene["matching"]
    build(db, scene)
    [first_need, second_need] = sorted(n.id for n in scene["needs"])
    removed = min(k for k in on_list(db, event_id) if k[0] == second_need)
    pinned = max(k for k in on_list(db, event_id) if k[0] == first_need)
    shortlists.remove(db, actor=actor, event_id=event_id, need_id=removed[0], profile_id=removed[1])
    shortlists.pin(db, actor=actor, event_id=event_id, need_id=pinned[0], profile_id=pinned[1])

    overview = shortlists.regenerate(db, matching, actor=actor, event_id=event_id)

    profile_ids = [p.id for p in scene["profiles"]]
    scores = [
        Pair(n.id, m.profile_id, m.score)
        for n in scene["needs"]
        for m in matching.match_profiles(db, n.id, profile_ids)
    ]
    best = allocate(scores, dict.fromkeys([first_need, second_need], 2),
                    {p.enterprise_id: 1 for p in scene["profiles"]},
                    sme_of={p.id: p.enterprise_id for p in scene["profiles"]},
                    pinned={pinned}, removed={removed})  # fmt: skip
    assert overview.total == best.total
    assert pinned in on_list(db, event_id) and removed not in on_list(db, event_id)


def test_an_sme_with_no_capacity_is_never_shortlisted(
    db: Session, scene: dict[str, Any], make: Factory
) -> None:
    event = make.event(scene["organiser"], shortlist_size=3)
    make.event_need(event, scene["needs"][0])
    make.event_sme(event, scene["profiles"][0], capacity=0)
    make.event_sme(event, scene["profiles"][1])
    shortlists.build(db, scene["matching"], actor=scene["organiser"], event_id=event.id)
    assert on_list(db, event.id) == {(scene["needs"][0].id, scene["profiles"][1].id)}


@pytest.mark.parametrize("who", ["firm", "other_organiser", "admin"])
def test_only_the_organiser_and_admins_build(
    db: Session, scene: dict[str, Any], make: Factory, who: str
) -> None:
    actor = {
        "firm": lambda: make.user(Role.FIRM, make.enterprise(EnterpriseSize.LARGE)),
        "other_organiser": lambda: make.user(Role.ORGANISER),
        "admin": lambda: make.user(Role.ADMIN),
    }[who]()
    event_id = scene["event"].id
    if who == "admin":
        shortlists.build(db, scene["matching"], actor=actor, event_id=event_id)
        assert on_list(db, event_id)
        return
    with pytest.raises(Forbidden):
        shortlists.build(db, scene["matching"], actor=actor, event_id=event_id)
    with pytest.raises(Forbidden):
        shortlists.overview(db, actor=actor, event_id=event_id)


def test_a_finished_event_keeps_its_shortlists(
    db: Session, scene: dict[str, Any], make: Factory
) -> None:
    event = make.event(scene["organiser"], status=EventStatus.FINISHED)
    with pytest.raises(InvalidState):
        shortlists.build(db, scene["matching"], actor=scene["organiser"], event_id=event.id)


def test_deciding_on_an_sme_not_shortlisted_is_not_found(
    db: Session, scene: dict[str, Any]
) -> None:
    with pytest.raises(NotFound):
        shortlists.pin(db, actor=scene["organiser"], event_id=scene["event"].id,
                       need_id=scene["needs"][0].id, profile_id=scene["declined"].id)  # fmt: skip


# Pages -------------------------------------------------------------------------------------
def test_organiser_builds_and_reads_the_shortlists_in_both_languages(
    client: TestClient, db: Session, scene: dict[str, Any]
) -> None:
    csrf = page_login(client, scene["organiser"].email)
    url = f"/events/{scene['event'].id}/shortlists"
    assert "尚未生成" in client.get(url).text  # "The shortlists have not been built yet."

    response = client.post(f"{url}/regenerate", data={"csrf_token": csrf}, follow_redirects=False)

    assert response.status_code == 303 and response.headers["location"] == url
    page = client.get(url).text
    assert "短名单已重新生成" in page
    assert "电子特气供应0" in page and 'class="score"' in page
    assert "具备所需认证：ISO 9001" in page
    client.cookies.set("mm_lang", "en")
    english = client.get(url).text
    assert "Has the required certifications: ISO 9001" in english
    assert on_list(db, scene["event"].id)


def test_pin_and_remove_buttons_record_the_decision(
    client: TestClient, db: Session, scene: dict[str, Any]
) -> None:
    build(db, scene)
    need_id, profile_id = sorted(on_list(db, scene["event"].id))[0]
    csrf = page_login(client, scene["organiser"].email)
    base = f"/events/{scene['event'].id}/shortlists/{need_id}/{profile_id}"

    pinned = client.post(f"{base}/pin", data={"csrf_token": csrf}, follow_redirects=False)
    assert pinned.status_code == 303
    assert entries(db, scene["event"].id)[(need_id, profile_id)].pinned
    client.post(f"{base}/remove", data={"csrf_token": csrf})
    entry = entries(db, scene["event"].id)[(need_id, profile_id)]
    assert (entry.pinned, entry.removed) == (False, True)
    page = client.get(f"/events/{scene['event'].id}/shortlists").text
    assert "已移除（1）" in page
    assert client.post(f"{base}/promote", data={"csrf_token": csrf}).status_code == 422


def test_a_decision_without_csrf_changes_nothing(
    client: TestClient, db: Session, scene: dict[str, Any]
) -> None:
    build(db, scene)
    need_id, profile_id = sorted(on_list(db, scene["event"].id))[0]
    page_login(client, scene["organiser"].email)
    url = f"/events/{scene['event'].id}/shortlists/{need_id}/{profile_id}/remove"
    assert client.post(url, data={}).status_code == 403
    assert client.post(f"/events/{scene['event'].id}/shortlists/regenerate").status_code == 403
    assert not entries(db, scene["event"].id)[(need_id, profile_id)].removed


@pytest.mark.parametrize("role", [Role.FIRM, Role.SME, Role.ORGANISER, None])
def test_the_page_is_only_for_the_events_organiser(
    client: TestClient, make: Factory, scene: dict[str, Any], role: Role | None
) -> None:
    if role is not None:
        page_login(client, make.user(role).email)
    response = client.get(f"/events/{scene['event'].id}/shortlists", follow_redirects=False)
    assert response.status_code == (403 if role else 303)


def test_a_finished_event_refuses_a_rebuild_on_the_page(
    client: TestClient, make: Factory, scene: dict[str, Any]
) -> None:
    event = make.event(scene["organiser"], status=EventStatus.FINISHED)
    csrf = page_login(client, scene["organiser"].email)
    url = f"/events/{event.id}/shortlists"
    response = client.post(f"{url}/regenerate", data={"csrf_token": csrf})
    assert response.status_code == 200 and "活动已结束" in response.text


# Command line ------------------------------------------------------------------------------
def test_cli_builds_and_prints_the_shortlists(
    db: Session, scene: dict[str, Any], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATCHMAKER_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", settings.db_url)
    runner = CliRunner()
    event_id = scene["event"].id

    result = runner.invoke(cli_app, ["events", "shortlist", event_id, "--format", "json"])

    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    stored = on_list(db, event_id)
    printed = {
        (n["need_id"], row["profile_id"]) for n in payload["needs"] for row in n["shortlist"]
    }
    assert printed == stored and payload["event_id"] == event_id
    first = payload["needs"][0]["shortlist"][0]
    assert first["rank"] == 1 and first["reasons"] and isinstance(first["reasons"][0], str)
    table = runner.invoke(cli_app, ["events", "shortlist", event_id])
    assert table.exit_code == 0 and f"{event_id}  " in table.stdout and " 1. " in table.stdout
    missing = runner.invoke(cli_app, ["events", "shortlist", "no-such-event"])
    assert missing.exit_code == 1 and "no-such-event" in missing.output
