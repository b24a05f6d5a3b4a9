"""Organisers', firms' and meetings' evidence as ranker labels, and training on them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import Factory
from sqlalchemy.orm import Session
from test_matching import write_eval_set
from typer.testing import CliRunner

from matchmaker.cli import app as cli_app
from matchmaker.config import Settings
from matchmaker.events import labels
from matchmaker.events.labels import Label
from matchmaker.events.models import Meeting, ShortlistEntry
from matchmaker.fields import (
    Decision,
    EnterpriseSize,
    MeetingOutcome,
    MeetingStatus,
    ProfileStatus,
    Role,
    Side,
)
from matchmaker.shortlists.models import CandidateDecision


@pytest.fixture
def evidence(db: Session, make: Factory) -> dict[str, str]:
    """Two needs, five SMEs and a draft profile, with every kind of evidence on some pair."""
    event = make.event(make.user(Role.ORGANISER))
    firm = make.enterprise(EnterpriseSize.LARGE)
    ids = {"n1": make.need(firm).id, "n2": make.need(firm).id, "event": event.id}
    for name in "abcde":
        ids[name] = make.profile(make.enterprise()).id
    ids["u"] = make.profile(make.enterprise(), status=ProfileStatus.DRAFT).id

    def entry(need: str, profile: str, **flags: bool) -> None:
        db.add(ShortlistEntry(event_id=event.id, need_id=ids[need], profile_id=ids[profile],
                              score=50.0, reasons=[], **flags))  # fmt: skip

    def meeting(need: str, profile: str, status: MeetingStatus, **outcome: Any) -> None:
        db.add(Meeting(id=f"m-{need}-{profile}", event_id=event.id, need_id=ids[need],
                       profile_id=ids[profile], requested_by=Side.FIRM, status=status,
                       **outcome))  # fmt: skip

    def decision(need: str, profile: str, value: Decision) -> None:
        db.add(CandidateDecision(need_id=ids[need], profile_id=ids[profile], decision=value))

    entry("n1", "a")
    entry("n1", "b", pinned=True)
    entry("n1", "c", removed=True)
    entry("n1", "d", removed=True)
    meeting("n1", "d", MeetingStatus.HELD)  # removed, yet they met and it went on
    entry("n2", "a")
    meeting("n2", "a", MeetingStatus.HELD, sme_outcome=MeetingOutcome.SIGNED)
    entry("n2", "b")
    decision("n2", "b", Decision.DISMISSED)  # the firm's own verdict beats the list
    decision("n2", "c", Decision.SHORTLISTED)
    meeting("n2", "d", MeetingStatus.REQUESTED)  # not met yet: no evidence
    entry("n1", "u", removed=True)
    db.commit()
    return ids


def as_tuples(found: list[Label], ids: dict[str, str]) -> set[tuple[str, str, int, str]]:
    names = {value: key for key, value in ids.items()}
    return {(names[x.need_id], names[x.profile_id], x.grade, x.source) for x in found}


EVENT_LABELS = {
    ("n1", "a", 1, "shortlist"),
    ("n1", "b", 1, "organiser"),
    ("n1", "c", 0, "organiser"),
    ("n1", "d", 1, "met"),
    ("n1", "u", 0, "organiser"),
    ("n2", "a", 2, "signed"),
    ("n2", "b", 1, "shortlist"),
}


def test_event_evidence_becomes_graded_labels(db: Session, evidence: dict[str, str]) -> None:
    assert as_tuples(labels.event_labels(db), evidence) == EVENT_LABELS


def test_firm_decisions_join_and_outrank_the_shortlist(
    db: Session, evidence: dict[str, str]
) -> None:
    found = labels.training_labels(db)
    assert as_tuples(found, evidence) == (EVENT_LABELS - {("n2", "b", 1, "shortlist")}) | {
        ("n2", "b", 0, "firm"),
        ("n2", "c", 1, "firm"),
    }
    assert [(x.need_id, x.profile_id) for x in found] == sorted(
        (x.need_id, x.profile_id) for x in found
    )


def test_a_signed_agreement_counts_as_a_deal(db: Session, evidence: dict[str, str]) -> None:
    def agreements(_db: Session) -> list[tuple[str, str]]:
        return [(evidence["n2"], evidence["e"]), (evidence["n1"], evidence["c"])]

    found = as_tuples(labels.event_labels(db, agreements=agreements), evidence)
    assert {("n2", "e", 2, "signed"), ("n1", "c", 2, "signed")} <= found
    assert ("n1", "c", 0, "organiser") not in found


def test_training_rows_are_features_of_pairs_the_engine_knows(
    db: Session, evidence: dict[str, str], app: Any
) -> None:
    rows = labels.training_rows(db, app.state.matching)
    expected = [x for x in labels.training_labels(db) if x.profile_id != evidence["u"]]
    assert [grade for _features, grade in rows] == [x.grade for x in expected]
    engine = app.state.matching.engine(db)
    first = expected[0]
    assert rows[0][0] == engine.features_for(first.need_id, first.profile_id)


def test_ranker_train_adds_feedback_only_when_asked(
    db: Session,
    evidence: dict[str, str],
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MATCHMAKER_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("MATCHMAKER_DATABASE_URL", settings.db_url)
    (tmp_path / "set").mkdir()
    write_eval_set(tmp_path / "set")
    runner = CliRunner()
    cards = {}
    for name, extra in (("plain", []), ("feedback", ["--with-feedback"])):
        target = tmp_path / f"{name}.json"
        command = ["ranker", "train", "--data", str(tmp_path / "set"), "-o", str(target), *extra]
        result = runner.invoke(cli_app, command)
        assert result.exit_code == 0, result.output
        cards[name] = json.loads(target.read_text("utf-8"))["card"]["data"]
    assert "feedback" not in cards["plain"]
    assert "7 from feedback" in cards["feedback"]  # every labelled pair but the draft profile's
