"""`matchmaker backup` and `matchmaker restore` on SQLite: a restored copy exports the same
records, its signed agreements still verify and sign, and damaged backups or used data dirs
are refused."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import Result
from conftest import PASSWORD, TEST_DATABASE_URL, Factory, _drop_database
from sqlalchemy import text
from sqlalchemy.engine import URL, Engine
from typer.testing import CliRunner

from matchmaker.agreements import origins, service
from matchmaker.agreements.providers import platform_provider
from matchmaker.agreements.schemas import AgreementInput
from matchmaker.backup import sha256
from matchmaker.cli import app as cli_app
from matchmaker.config import load_settings
from matchmaker.db import Database
from matchmaker.fields import AgreementType, EnterpriseSize, IntroductionOrigin, Role
from matchmaker.fields import IntroductionStatus as Status
from matchmaker.introductions.models import Introduction
from matchmaker.migrate import upgrade

DEMO = Path(__file__).resolve().parents[2] / "fixtures" / "demo"
KINDS = ("enterprises", "profiles", "needs")


def cli(data_dir: Path, *args: str, url: str | None = None) -> Result:
    """The command in process on `url`, by default the SQLite database of `data_dir`."""
    env = {"MATCHMAKER_DATA_DIR": str(data_dir), "MATCHMAKER_DATABASE_URL": url,
           "MATCHMAKER_SECRET_KEY": None}  # fmt: skip
    return CliRunner().invoke(cli_app, list(args), env=env)


def _sign_an_agreement(data_dir: Path) -> tuple[str, str]:
    """A signed agreement between a firm and an SME; returns its code and the firm's id."""
    settings = load_settings(data_dir=data_dir, database_url=None, secret_key=None)
    database = Database(settings.db_url)
    upgrade(database)
    with database.session() as db:
        make = Factory(db)
        firm, sme = make.enterprise(EnterpriseSize.LARGE), make.enterprise()
        need, profile = make.need(firm), make.profile(sme)
        users = make.user(Role.FIRM, firm), make.user(Role.SME, sme)
        db.add(Introduction(id=f"intro-{need.id}", need_id=need.id, profile_id=profile.id,
                            origin=IntroductionOrigin.INVITATION, status=Status.ACCEPTED,
                            message="欢迎"))  # fmt: skip
        db.commit()
        origin = origins.from_introduction(db, actor=users[1], introduction_id=f"intro-{need.id}")
        terms = AgreementInput(subject="电子特气仓储配送服务", type=AgreementType.SERVICE,
                               amount_wan=500, term="三年", clauses=["气瓶全程追溯"])  # fmt: skip
        agreement = service.draft(db, actor=users[1], origin=origin, data=terms)
        for user in users:
            service.approve(db, actor=user, agreement_id=agreement.id, version=1)
        for user in users:
            service.sign(db, actor=user, agreement_id=agreement.id, password=PASSWORD,
                         provider=platform_provider(db, settings.secret))  # fmt: skip
        code, firm_id = agreement.code, firm.id
    database.dispose()
    return code, firm_id


def _exports(data_dir: Path, into: Path, url: str | None = None) -> dict[str, bytes]:
    into.mkdir()
    for kind in KINDS:
        result = cli(data_dir, "export", kind, "--output", str(into / f"{kind}.jsonl"), url=url)
        assert result.exit_code == 0, result.output
    return {kind: (into / f"{kind}.jsonl").read_bytes() for kind in KINDS}


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, str]:
    """A data dir with the demo data and one signed agreement; its dir, code and firm."""
    data_dir = tmp_path_factory.mktemp("source") / "data"
    loaded = cli(data_dir, "fixtures", "load", str(DEMO))
    assert loaded.exit_code == 0, loaded.output
    code, firm_id = _sign_an_agreement(data_dir)
    return data_dir, code, firm_id


@pytest.fixture(scope="module")
def backup(source: tuple[Path, str, str], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A backup taken while another connection holds an open write transaction, as a
    running server would: the copy must neither wait for it nor contain it."""
    data_dir = source[0]
    dest = tmp_path_factory.mktemp("backups") / "nightly"
    with closing(sqlite3.connect(data_dir / "matchmaker.sqlite3")) as writer:
        writer.execute("BEGIN IMMEDIATE")
        writer.execute("UPDATE enterprises SET name = 'uncommitted' WHERE size = 'large'")
        result = cli(data_dir, "backup", str(dest))
        writer.rollback()
    assert result.exit_code == 0, result.output
    return dest


@pytest.fixture
def restored(backup: Path, tmp_path: Path) -> Iterator[Path]:
    data_dir = tmp_path / "restored"
    result = cli(data_dir, "restore", str(backup))
    assert result.exit_code == 0, result.output
    yield data_dir


def test_the_backup_holds_the_database_the_secret_and_a_manifest(
    backup: Path, source: tuple[Path, str, str]
) -> None:
    manifest = json.loads((backup / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(p.name for p in backup.iterdir()) == [
        "manifest.json", "matchmaker.sqlite3", "secret_key"]  # fmt: skip
    assert manifest["format"] == "matchmaker-backup/1"
    assert manifest["database"] == "sqlite"
    assert sorted(manifest["files"]) == ["matchmaker.sqlite3", "secret_key"]
    assert manifest["schema_revision"]
    assert (backup / "secret_key").read_bytes() == (source[0] / "secret_key").read_bytes()
    assert not backup.with_name("nightly.part").exists()


def test_a_restored_data_dir_exports_the_same_records(
    source: tuple[Path, str, str], restored: Path, tmp_path: Path
) -> None:
    before = _exports(source[0], tmp_path / "before")
    after = _exports(restored, tmp_path / "after")
    assert before == after
    assert b"uncommitted" not in after["enterprises"]
    assert all(before.values())


def test_a_signed_agreement_still_verifies_and_signing_keys_unseal_after_restore(
    source: tuple[Path, str, str], restored: Path
) -> None:
    _, code, firm_id = source
    result = cli(restored, "verify", code)
    assert result.exit_code == 0, result.output
    assert f"OK: agreement {code}" in result.output
    assert cli(restored, "verify", "--ledger").exit_code == 0
    # Signing again needs the firm's sealed private key, which only the restored secret opens.
    settings = load_settings(data_dir=restored, database_url=None, secret_key=None)
    database = Database(settings.db_url)
    with database.session() as db:
        provider = platform_provider(db, settings.secret)
        signed = provider.sign(enterprise_id=firm_id, message=b"after restore")
        assert signed.public_key == provider.public_key(firm_id)
        assert provider.verify(public_key=signed.public_key, message=b"after restore",
                               signature=signed.signature)  # fmt: skip
    database.dispose()


@pytest.mark.parametrize("name", ["matchmaker.sqlite3", "secret_key"])
def test_restore_refuses_a_backup_with_a_flipped_byte_and_names_the_file(
    backup: Path, tmp_path: Path, name: str
) -> None:
    damaged = tmp_path / "damaged"
    damaged.mkdir()
    for path in backup.iterdir():
        (damaged / path.name).write_bytes(path.read_bytes())
    content = bytearray((damaged / name).read_bytes())
    content[len(content) // 2] ^= 0x01
    (damaged / name).write_bytes(bytes(content))

    result = cli(tmp_path / "target", "restore", str(damaged))
    assert result.exit_code == 1
    assert f"restore failed: {name} is damaged" in result.output
    assert not (tmp_path / "target").exists()


def test_restore_refuses_a_data_dir_in_use_unless_forced(backup: Path, tmp_path: Path) -> None:
    target = tmp_path / "target"
    target.mkdir()
    (target / "secret_key").write_text("the secret of another installation", encoding="utf-8")

    refused = cli(target, "restore", str(backup))
    assert refused.exit_code == 1
    assert "is not empty" in refused.output and "--force" in refused.output
    assert sorted(p.name for p in target.iterdir()) == ["secret_key"]
    assert (target / "secret_key").read_text(encoding="utf-8").startswith("the secret of")

    forced = cli(target, "restore", "--force", str(backup))
    assert forced.exit_code == 0, forced.output
    assert (target / "secret_key").read_bytes() == (backup / "secret_key").read_bytes()


def test_backup_refuses_a_destination_that_holds_files(
    source: tuple[Path, str, str], tmp_path: Path
) -> None:
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "keep.txt").write_text("mine", encoding="utf-8")
    result = cli(source[0], "backup", str(tmp_path / "used"))
    assert result.exit_code == 1
    assert "is not an empty directory" in result.output
    assert [p.name for p in (tmp_path / "used").iterdir()] == ["keep.txt"]


def _pg_backup(directory: Path) -> Path:
    """A backup as `matchmaker backup` writes it from PostgreSQL (the dump is a stand-in)."""
    directory.mkdir()
    dump = directory / "matchmaker.pgdump"
    dump.write_bytes(b"PGDMP stand-in")
    files = {dump.name: {"sha256": sha256(dump), "bytes": dump.stat().st_size}}
    manifest = {"format": "matchmaker-backup/1", "database": "postgresql", "files": files,
                "schema_revision": "0011", "created_at": "2026-01-01T00:00:00+00:00"}  # fmt: skip
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return directory


def test_restore_refuses_a_backup_of_the_other_database_kind(tmp_path: Path) -> None:
    result = cli(tmp_path / "data", "restore", str(_pg_backup(tmp_path / "pg")))
    assert result.exit_code == 1
    assert "holds a postgresql database but the target is sqlite" in result.output
    assert not (tmp_path / "data").exists()


@pytest.mark.parametrize("command", ["backup", "restore"])
def test_postgresql_without_client_tools_names_the_commands_to_run(
    tmp_path: Path, command: str
) -> None:
    env = {"MATCHMAKER_DATA_DIR": str(tmp_path / "data"), "PATH": str(tmp_path),
           "MATCHMAKER_DATABASE_URL": "postgresql+psycopg://mm:secret@127.0.0.1:1/matchmaker"}  # fmt: skip
    where = tmp_path / "new" if command == "backup" else _pg_backup(tmp_path / "pg")
    result = CliRunner().invoke(cli_app, [command, str(where)], env=env)
    tool = "pg_dump" if command == "backup" else "pg_restore"
    assert result.exit_code == 1
    assert f"{tool} is not on PATH" in result.output
    assert f"{tool} " in result.output.split("run by hand:")[1]
    assert "docs/operations.md" in result.output
    assert not (tmp_path / "new").exists() and not (tmp_path / "new.part").exists()


@pytest.mark.skipif(TEST_DATABASE_URL is None, reason="set MATCHMAKER_TEST_DATABASE_URL")
def test_postgresql_round_trip_through_pg_dump_and_pg_restore(
    database_url: str, _pg_admin: tuple[Engine, URL, str], tmp_path: Path
) -> None:
    admin, base, _template = _pg_admin
    empty = f"mm_restore_{tmp_path.name[-24:]}".replace("-", "_").lower()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{empty}"'))
    target_url = base.set(database=empty).render_as_string(hide_password=False)
    try:
        assert cli(tmp_path / "a", "fixtures", "load", str(DEMO), url=database_url).exit_code == 0
        made = cli(tmp_path / "a", "backup", str(tmp_path / "bk"), url=database_url)
        assert made.exit_code == 0, made.output
        assert (tmp_path / "bk" / "matchmaker.pgdump").read_bytes().startswith(b"PGDMP")
        restored = cli(tmp_path / "b", "restore", str(tmp_path / "bk"), url=target_url)
        assert restored.exit_code == 0, restored.output
        again = cli(tmp_path / "c", "restore", str(tmp_path / "bk"), url=target_url)
        assert again.exit_code == 1 and "already has" in again.output
        before = _exports(tmp_path / "a", tmp_path / "before", url=database_url)
        assert _exports(tmp_path / "b", tmp_path / "after", url=target_url) == before
    finally:
        _drop_database(admin, empty)
