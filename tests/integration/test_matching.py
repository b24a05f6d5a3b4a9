"""The matching engine end to end: ranking, direction, gaps, freshness, API and CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from matchmaker.fields import EnterpriseSize, ProfileStatus, Role
from matchmaker.matching.service import MatchingService
from matchmaker.profiles import service as profiles
from matchmaker.profiles.schemas import ProfileUpdate

GAS = {
    "title": "电子特气提纯与充装",
    "summary": "为12英寸晶圆厂提供NF3、WF6等电子特种气体，具备气体纯化与钢瓶处理产线。",
    "capabilities": ["NF3提纯至6N", "特气柜与钢瓶处理"],
    "regions": ["上海市"],
    "open_to": ["supply_chain"],
}


@pytest.fixture
def scene(make: Any) -> dict[str, Any]:
    firm = make.enterprise(
        EnterpriseSize.LARGE,
        name="上海澜芯集成电路制造股份有限公司",
        description="12英寸晶圆制造，逻辑工艺代工",
    )
    need = make.need(
        firm,
        title="晶圆厂电子特气本地化供应",
        description="临港12英寸产线扩产，需要NF3、WF6等电子特气的本地供应商。",
        certifications=["ISO 9001"],
        regions=["上海市"],
    )
    owners = {
        key: make.enterprise(EnterpriseSize.SMALL)
        for key in ("full", "nocert", "buyer", "other", "trad")
    }
    records = {
        "full": make.profile(owners["full"], **GAS, certifications=["ISO 9001"]),
        "nocert": make.profile(owners["nocert"], **GAS, certifications=[]),
        "buyer": make.profile(
            owners["buyer"],
            title="12英寸晶圆代工",
            summary="公司是12英寸晶圆厂，每年采购大量电子特气和湿电子化学品用于自用产线。",
            capabilities=["逻辑工艺晶圆代工"],
            certifications=["ISO 9001"],
            regions=["上海市"],
        ),
        "other": make.profile(
            owners["other"],
            title="功效护肤品ODM",
            summary="面膜与精华液的研发和代工生产。",
            capabilities=["乳化工艺"],
        ),
        "trad": make.profile(
            owners["trad"],
            title="電子特氣純化",
            summary="提供電子特氣NF3純化與充裝服務，客戶為晶圓廠。",
            capabilities=["氣體純化"],
            certifications=["ISO 9001"],
        ),
    }
    return {"firm": firm, "need": need, "owners": owners, "profiles": records}


def ranked(db: Session, service: MatchingService, need_id: str) -> list[Any]:
    return service.match(db, need_id, 10)


def test_suppliers_rank_above_buyers_and_strangers(
    db: Session, settings: Any, scene: dict[str, Any]
) -> None:
    service = MatchingService(settings.data_dir)
    matches = ranked(db, service, scene["need"].id)
    order = [m.profile_id for m in matches]
    ids = {key: p.id for key, p in scene["profiles"].items()}
    assert order.index(ids["full"]) < order.index(ids["nocert"]) < order.index(ids["buyer"])
    assert order.index(ids["trad"]) < order.index(ids["buyer"])
    assert ids["other"] not in order[:4]
    scores = {m.profile_id: m.score for m in matches}
    assert scores[ids["full"]] > scores[ids["buyer"]]
    best = matches[0]
    assert 0 <= best.score <= 100 and best.band in {"强匹配", "较匹配", "一般"}


def test_reasons_name_chain_relation_and_certification_gap(
    db: Session, settings: Any, scene: dict[str, Any]
) -> None:
    matches = {
        m.profile_id: m for m in ranked(db, MatchingService(settings.data_dir), scene["need"].id)
    }
    full = matches[scene["profiles"]["full"].id].reasons
    nocert = matches[scene["profiles"]["nocert"].id].reasons
    assert "产业链：同一产业链环节：电子特气" in full
    assert "具备所需认证：ISO 9001" in full
    assert "缺少所需认证：ISO 9001" in nocert
    assert any(r.startswith("文本匹配：") and "电子特气" in r for r in full)
    assert "服务区域符合：上海市" in full


def test_index_follows_edits_unpublishing_and_restarts(
    db: Session, settings: Any, scene: dict[str, Any], make: Any
) -> None:
    service = MatchingService(settings.data_dir)
    other = scene["profiles"]["other"]
    full = scene["profiles"]["full"]
    admin = make.user(Role.ADMIN)
    assert ranked(db, service, scene["need"].id)[0].profile_id == full.id
    profiles.update_profile(
        db, actor=admin, profile_id=other.id,
        patch=ProfileUpdate(title="电子特气NF3提纯", summary="为晶圆厂提供NF3与WF6电子特气", certifications=["ISO 9001"], regions=["上海市"]),
    )  # fmt: skip
    profiles.update_profile(
        db, actor=admin, profile_id=full.id, patch=ProfileUpdate(status=ProfileStatus.DRAFT)
    )
    after = [m.profile_id for m in ranked(db, service, scene["need"].id)]
    assert full.id not in after
    assert after.index(other.id) < after.index(scene["profiles"]["buyer"].id)
    profiles.delete(db, actor=admin, profile_id=other.id)
    restarted = MatchingService(settings.data_dir)  # loads the persisted index, then catches up
    assert (settings.data_dir / "index" / "matching.pickle").exists()
    assert other.id not in [m.profile_id for m in ranked(db, restarted, scene["need"].id)]


def test_recommendations_rank_open_needs_for_a_profile(
    db: Session, settings: Any, scene: dict[str, Any], make: Any
) -> None:
    make.need(
        scene["firm"],
        title="美白精华原料采购",
        description="采购烟酰胺等化妆品原料",
        type="supply_chain",
    )
    service = MatchingService(settings.data_dir)
    matches = service.recommend(db, scene["profiles"]["full"].id, 5)
    assert matches[0].need_id == scene["need"].id
    assert matches[0].need_enterprise_id == scene["firm"].id


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("firm_owner", 200),
        ("firm_other", 403),
        ("sme", 403),
        ("organiser", 200),
        ("admin", 200),
    ],
)
def test_need_matches_api_permissions(
    client: TestClient, make: Any, scene: dict[str, Any], who: str, status: int
) -> None:
    users = {
        "firm_owner": make.user(Role.FIRM, scene["firm"]),
        "firm_other": make.user(Role.FIRM, make.enterprise(EnterpriseSize.LARGE)),
        "sme": make.user(Role.SME, scene["owners"]["full"]),
        "organiser": make.user(Role.ORGANISER),
        "admin": make.user(Role.ADMIN),
    }
    headers = make.token_headers(users[who]) if who in users else {}
    response = client.get(f"/api/v1/needs/{scene['need'].id}/matches?limit=3", headers=headers)
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["need_id"] == scene["need"].id
        first = body["matches"][0]
        assert set(first) == {"profile_id", "enterprise_id", "score", "band", "reasons", "features"}
        assert first["profile_id"] == scene["profiles"]["full"].id
        assert "graph_same" in first["features"]


@pytest.mark.parametrize(
    ("who", "status"), [("owner", 200), ("other_sme", 403), ("firm", 403), ("organiser", 200)]
)
def test_recommendations_api_permissions(
    client: TestClient, make: Any, scene: dict[str, Any], who: str, status: int
) -> None:
    users = {
        "owner": make.user(Role.SME, scene["owners"]["full"]),
        "other_sme": make.user(Role.SME, scene["owners"]["other"]),
        "firm": make.user(Role.FIRM, scene["firm"]),
        "organiser": make.user(Role.ORGANISER),
    }
    profile_id = scene["profiles"]["full"].id
    response = client.get(
        f"/api/v1/profiles/{profile_id}/recommendations", headers=make.token_headers(users[who])
    )
    assert response.status_code == status
    if status == 200:
        assert response.json()["matches"][0]["need_id"] == scene["need"].id


def test_cli_match_right_after_import(tmp_path: Path) -> None:
    records = {
        "enterprises": [
            {"id": "f1", "name": "上海澜芯集成电路制造股份有限公司", "size": "large"},
            {"id": "s1", "name": "上海气源电子材料有限公司", "size": "small"},
            {"id": "s2", "name": "上海美妍生物科技有限公司", "size": "small"},
        ],
        "profiles": [
            {"id": "p1", "enterprise_id": "s1", "title": "电子特气提纯", "summary": "NF3、WF6电子特气供应"},
            {"id": "p2", "enterprise_id": "s2", "title": "护肤品ODM", "summary": "面膜代工"},
        ],
        "needs": [
            {"id": "n1", "enterprise_id": "f1", "type": "supply_chain", "title": "电子特气供应",
             "description": "需要NF3电子特气", "deadline": "2099-01-01"},
        ],
    }  # fmt: skip
    source = tmp_path / "set"
    source.mkdir()
    for kind, rows in records.items():
        (source / f"{kind}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8"
        )
    env = {**os.environ, "MATCHMAKER_DATA_DIR": str(tmp_path / "data")}
    run = [sys.executable, "-m", "matchmaker"]
    subprocess.run([*run, "import", "all", str(source)], env=env, check=True, capture_output=True)
    out = subprocess.run(
        [*run, "match", "n1", "--top", "2", "--format", "json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    [line] = out
    payload = json.loads(line)
    assert payload["need_id"] == "n1"
    assert [m["profile_id"] for m in payload["matches"]] == ["p1", "p2"]
    assert set(payload["matches"][0]) >= {"profile_id", "enterprise_id", "score", "reasons"}
    recommended = subprocess.run(
        [*run, "recommend", "p1", "--top", "1", "--format", "json"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert json.loads(recommended)["matches"][0]["need_id"] == "n1"


def test_investors_and_distributors_are_marked_not_ranked_as_ventures(
    db: Session, settings: Any, make: Any
) -> None:
    firm = make.enterprise(EnterpriseSize.LARGE, name="上海澜芯集成电路制造股份有限公司")
    need = make.need(
        firm,
        type="investment",
        title="量检测设备早期项目股权投资",
        description="投资前道量检测设备初创企业，天使轮至A轮",
    )
    startup = make.profile(
        make.enterprise(EnterpriseSize.MICRO), title="晶圆缺陷检测设备", summary="自研明场缺陷检测设备，天使轮",
        open_to=["investment"], funding_stage="天使轮",
    )  # fmt: skip
    fund = make.profile(
        make.enterprise(EnterpriseSize.SMALL), title="量检测设备早期股权投资基金", summary="专注前道量检测设备的早期股权投资",
        open_to=["investment"],
    )  # fmt: skip
    matches = {m.profile_id: m for m in MatchingService(settings.data_dir).match(db, need.id, 5)}
    assert matches[startup.id].score > matches[fund.id].score
    assert "注意：该画像属于投资或孵化机构，而非项目方" in matches[fund.id].reasons


def test_explicitly_chosen_segments_are_trusted(
    db: Session, settings: Any, scene: dict[str, Any], make: Any
) -> None:
    vague = make.profile(
        make.enterprise(EnterpriseSize.SMALL), title="综合技术服务", summary="为客户提供定制化方案",
        segments=["ic.electronic_gases"],
    )  # fmt: skip
    matches = {
        m.profile_id: m for m in MatchingService(settings.data_dir).match(db, scene["need"].id, 10)
    }
    assert matches[vague.id].features["graph_same"] > 0.7
    assert "产业链：同一产业链环节：电子特气" in matches[vague.id].reasons


def write_eval_set(directory: Path) -> None:
    records = {
        "enterprises": [
            {"id": "f1", "name": "上海澜芯集成电路制造股份有限公司", "size": "large"},
            *(
                {"id": f"s{i}", "name": f"上海样例{i}科技有限公司", "size": "small"}
                for i in range(1, 4)
            ),
        ],
        "profiles": [
            {
                "id": "p1",
                "enterprise_id": "s1",
                "title": "电子特气提纯",
                "summary": "NF3、WF6电子特气供应",
            },
            {
                "id": "p2",
                "enterprise_id": "s2",
                "title": "特种气体充装",
                "summary": "高纯氨与硅烷钢瓶充装",
            },
            {"id": "p3", "enterprise_id": "s3", "title": "护肤品ODM", "summary": "面膜代工"},
        ],
        "needs": [
            {
                "id": "n1",
                "enterprise_id": "f1",
                "type": "supply_chain",
                "title": "电子特气供应",
                "description": "需要NF3电子特气",
            },
            {
                "id": "n2",
                "enterprise_id": "f1",
                "type": "supply_chain",
                "title": "面膜代工",
                "description": "护肤品ODM合作",
            },
        ],
    }
    for kind, rows in records.items():
        (directory / f"{kind}.jsonl").write_text(
            "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8"
        )
    (directory / "qrels.tsv").write_text(
        "need_id\tprofile_id\tgrade\nn1\tp1\t2\nn1\tp2\t1\nn2\tp3\t2\n", "utf-8"
    )
    (directory / "splits.tsv").write_text("need_id\tsplit\nn1\tdev\nn2\ttest\n", "utf-8")


def test_eval_reports_every_system_and_split(tmp_path: Path) -> None:
    from matchmaker.matching.evaluation import evaluate

    write_eval_set(tmp_path)
    results = evaluate(tmp_path)
    assert set(results) == {"engine", "text", "bm25"}
    assert set(results["engine"]) == {"dev", "test", "all"}
    assert results["engine"]["dev"]["mrr"] == 1.0  # p1 first for n1
    assert results["engine"]["test"]["needs"] == 1
    assert 0.0 <= results["bm25"]["all"]["ndcg@10"] <= 1.0


def test_cli_graph_show_and_export(tmp_path: Path) -> None:
    env = {**os.environ, "MATCHMAKER_DATA_DIR": str(tmp_path / "data")}
    run = [sys.executable, "-m", "matchmaker", "graph"]
    shown = subprocess.run(
        [*run, "show", "电子特气"], env=env, check=True, capture_output=True, text=True
    ).stdout
    assert shown.splitlines()[0].startswith("ic.electronic_gases  电子特气")
    assert "supplies: 晶圆制造 (ic.wafer_fab)" in shown
    target = tmp_path / "graph.json"
    subprocess.run([*run, "export", "-o", str(target)], env=env, check=True, capture_output=True)
    exported = json.loads(target.read_text("utf-8"))
    assert {
        "source": "ic.electronic_gases",
        "target": "ic.wafer_fab",
        "kind": "supplies",
    } in exported["edges"]


@pytest.mark.parametrize(
    ("qrels", "message"),
    [
        (None, "qrels.tsv is missing (tab-separated: need_id, profile_id, grade)"),
        ("need\tprofile\tgrade\n", "qrels.tsv: the header must be 'need_id\\tprofile_id\\tgrade'"),
        (
            "need_id\tprofile_id\tgrade\nn1\tp1\t3\n",
            "qrels.tsv line 2: grade must be 1 or 2, not '3'",
        ),
    ],
)
def test_eval_set_labels_are_checked(tmp_path: Path, qrels: str | None, message: str) -> None:
    from matchmaker.fixtures.demo import RecordDirectoryError
    from matchmaker.matching.evaluation import load_eval_set

    write_eval_set(tmp_path)
    if qrels is None:
        (tmp_path / "qrels.tsv").unlink()
    else:
        (tmp_path / "qrels.tsv").write_text(qrels, "utf-8")
    with pytest.raises(RecordDirectoryError) as error:
        load_eval_set(tmp_path)
    assert str(error.value).endswith(message)
