"""The persisted matching index under faults: a save cut short, a damaged file, a read-only
data dir, a full disk. Matching must keep answering correctly and nothing may be corrupted."""

from __future__ import annotations

import errno
import logging
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Factory
from sqlalchemy.orm import Session

from matchmaker.config import Settings
from matchmaker.fields import EnterpriseSize
from matchmaker.matching import service as matching
from matchmaker.matching.engine import Match
from matchmaker.matching.service import INDEX_FILE, MatchingService


@pytest.fixture
def need_id(make: Factory) -> str:
    firm = make.enterprise(EnterpriseSize.LARGE, name="上海澜芯集成电路制造股份有限公司")
    need = make.need(firm, description="临港12英寸产线扩产，需要NF3、WF6等电子特气的本地供应商。")
    for summary in ("NF3、WF6电子特气提纯与充装", "晶圆厂特气柜安装", "工业气体钢瓶检测"):
        make.profile(make.enterprise(), summary=summary)
    return need.id


def _index(settings: Settings) -> Path:
    return settings.data_dir / "index" / INDEX_FILE


def _fresh_results(db: Session, tmp_path: Path, need_id: str) -> list[Match]:
    """What a healthy index in a data dir of its own answers."""
    results = MatchingService(tmp_path / "healthy").match(db, need_id, 10)
    assert results, "the scene must produce matches for the comparison to mean something"
    return results


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garbage(path: Path) -> None:
    path.write_bytes(os.urandom(4096))


def _empty(path: Path) -> None:
    path.write_bytes(b"")


def _not_an_index(path: Path) -> None:
    path.write_bytes(pickle.dumps(["a", "list", "not", "the", "index"]))


def _killed_during_save(path: Path) -> None:
    """The rename never happened: a half-written .tmp lies beside the previous file."""
    temporary = path.with_suffix(".tmp")
    temporary.write_bytes(path.read_bytes()[:1000])


def _killed_during_first_save(path: Path) -> None:
    _killed_during_save(path)
    path.unlink()


DAMAGE = [_truncate, _garbage, _empty, _not_an_index, _killed_during_save,
          _killed_during_first_save]  # fmt: skip


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__.strip("_"))
def test_a_damaged_index_is_rebuilt_on_the_next_start_with_correct_results(
    settings: Settings, db: Session, tmp_path: Path, need_id: str, damage: Callable[[Path], None]
) -> None:
    expected = _fresh_results(db, tmp_path, need_id)
    MatchingService(settings.data_dir).match(db, need_id, 10)  # builds and saves the index
    damage(_index(settings))

    restarted = MatchingService(settings.data_dir)
    assert restarted.match(db, need_id, 10) == expected
    assert MatchingService(settings.data_dir)._load() is not None  # the file was repaired


def _disk_full(*args: Any, **kwargs: Any) -> None:
    stream = args[1]
    stream.write(b"\x80\x05partial")
    raise OSError(errno.ENOSPC, "No space left on device")


def _read_only(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 0o555 does not stop root from writing")
    index = _index(settings).parent
    index.chmod(0o555)


def _index_dir_is_a_file(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Writes fail with an OSError even as root: the index dir's place is taken by a file."""
    index = _index(settings).parent
    for child in index.iterdir():
        child.unlink()
    index.rmdir()
    index.write_text("not a directory", encoding="utf-8")


def _full_disk(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(matching.pickle, "dump", _disk_full)


def _temporary_is_a_directory(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """Opening the .tmp for writing fails even as root, and the saved file stays in place."""
    _index(settings).with_suffix(".tmp").mkdir()


FAULTS = [_read_only, _index_dir_is_a_file, _temporary_is_a_directory, _full_disk]


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f.__name__.strip("_"))
def test_an_index_that_cannot_be_saved_still_answers_from_memory_and_logs_why(
    settings: Settings,
    db: Session,
    make: Factory,
    tmp_path: Path,
    need_id: str,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    fault: Callable[[Settings, pytest.MonkeyPatch], None],
) -> None:
    MatchingService(settings.data_dir).match(db, need_id, 10)  # a saved index to protect
    make.profile(make.enterprise(), summary="电子特气NF3纯化与本地配送")  # newer than the file
    expected = _fresh_results(db, tmp_path, need_id)
    fault(settings, monkeypatch)
    index = _index(settings)
    before = index.read_bytes() if index.is_file() else None

    service = MatchingService(settings.data_dir)
    with caplog.at_level(logging.ERROR, logger=matching.__name__):
        service.rebuild(db)  # the save inside fails and must not raise
        assert service.match(db, need_id, 10) == expected
    assert any("matching index not saved" in r.getMessage() for r in caplog.records), caplog.text
    monkeypatch.undo()
    if index.parent.is_dir():
        index.parent.chmod(0o755)
    assert not index.with_suffix(".tmp").is_file()
    assert (index.read_bytes() if index.is_file() else None) == before  # untouched, not half
    # The next start answers as if the failed save had never been tried: from the previous
    # file caught up with the change log (incremental, so compared with the same path), or
    # rebuilt when there is no file.
    reference = tmp_path / "reference"
    if before is not None:
        (reference / "index").mkdir(parents=True)
        (reference / "index" / INDEX_FILE).write_bytes(before)
    restarted = MatchingService(settings.data_dir).match(db, need_id, 10)
    assert restarted == MatchingService(reference).match(db, need_id, 10)
