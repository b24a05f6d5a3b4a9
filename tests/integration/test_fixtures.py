"""The demo data set and the synthetic data generator."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from matchmaker.accounts.service import authenticate
from matchmaker.enterprises.models import Enterprise
from matchmaker.fields import EnterpriseSize, NeedStatus
from matchmaker.fixtures.demo import load_directory
from matchmaker.fixtures.generator import generate
from matchmaker.matching.chain import default_chain_graph
from matchmaker.needs.models import Need
from matchmaker.profiles.models import CapabilityProfile
from matchmaker.transfer.importer import import_files

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"


def test_demo_data_loads_with_users_for_every_role(db: Session) -> None:
    loaded = load_directory(db, DEMO)
    assert loaded.users_created == 6
    sizes = Counter(db.scalars(select(Enterprise.size)).all())
    assert sizes[EnterpriseSize.LARGE] >= 20
    assert sum(sizes.values()) - sizes[EnterpriseSize.LARGE] >= 400
    open_needs = db.scalars(select(Need.type).where(Need.status == NeedStatus.OPEN)).all()
    assert len(open_needs) >= 80 and len(set(open_needs)) == 5
    with_profiles = db.scalar(select(func.count(func.distinct(CapabilityProfile.enterprise_id))))
    assert with_profiles is not None and with_profiles >= 400
    roles = {authenticate(db, email=f"{name}@demo.example.cn", password="Demo-2026-matchmaker").role.value
             for name in ("admin", "organiser", "firm", "sme")}  # fmt: skip
    assert roles == {"admin", "organiser", "firm", "sme"}


def test_loading_the_demo_twice_changes_nothing(db: Session) -> None:
    load_directory(db, DEMO)
    again = load_directory(db, DEMO)
    assert again.users_created == 0
    assert all(c.created == c.updated == 0 for c in again.report.kinds.values())


def test_generated_data_imports_cleanly(db: Session, tmp_path: Path) -> None:
    counts = generate(tmp_path, profiles=600, needs=50, seed=7, graph=default_chain_graph())
    report = import_files(
        db, [(kind, tmp_path / f"{kind}.jsonl") for kind in ("enterprises", "profiles", "needs")]
    )
    assert report.kinds["profiles"].created == counts.profiles == 600
    assert report.kinds["needs"].created == counts.needs == 50
    assert report.kinds["enterprises"].created == counts.smes + counts.large_enterprises
    assert counts.large_enterprises >= 20 and 200 < counts.smes < 600


def test_generator_is_deterministic_per_seed(tmp_path: Path) -> None:
    graph = default_chain_graph()
    generate(tmp_path / "a", profiles=200, needs=20, seed=3, graph=graph)
    generate(tmp_path / "b", profiles=200, needs=20, seed=3, graph=graph)
    generate(tmp_path / "c", profiles=200, needs=20, seed=4, graph=graph)
    for name in ("enterprises.jsonl", "profiles.jsonl", "needs.jsonl"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / "profiles.jsonl").read_bytes() != (
        tmp_path / "c" / "profiles.jsonl"
    ).read_bytes()


@pytest.mark.parametrize("kind", ["profiles", "needs"])
def test_generated_text_uses_industry_vocabulary(tmp_path: Path, kind: str) -> None:
    graph = default_chain_graph()
    generate(tmp_path, profiles=300, needs=60, seed=1, graph=graph)
    vocabulary = {
        term for s in graph.segments.values() for term in (s.name, *s.keywords, *s.products)
    }
    records = [
        json.loads(line) for line in (tmp_path / f"{kind}.jsonl").read_text("utf-8").splitlines()
    ]
    text_field = "summary" if kind == "profiles" else "description"
    with_terms = [
        r
        for r in records
        if any(term in r[text_field] or term in r["title"] for term in vocabulary)
    ]
    assert len(with_terms) == len(records)
    assert len({r["title"] for r in records}) > len(records) * 0.6  # varied, not one template
