"""The matchmaker command, run as a user would: a subprocess on a fresh data dir."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from matchmaker.config import load_settings
from matchmaker.main import create_app

COMMANDS = [
    [], ["serve"], ["migrate"], ["import"], ["export"], ["fixtures"], ["fixtures", "load"],
    ["fixtures", "generate"], ["users"], ["users", "create"], ["users", "set-role"],
    ["users", "token"], ["users", "list"],
]  # fmt: skip


def run(data_dir: Path, *args: str, input: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "MATCHMAKER_DATA_DIR": str(data_dir)}
    env.pop("MATCHMAKER_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "matchmaker", *args],
        env=env,
        capture_output=True,
        text=True,
        input=input,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "matchmaker")
def test_every_command_explains_itself(tmp_path: Path, command: list[str]) -> None:
    result = run(tmp_path, *command, "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage:" in result.stdout


def test_import_works_on_a_fresh_data_dir_and_reports_counts(tmp_path: Path) -> None:
    source = tmp_path / "enterprises.jsonl"
    source.write_text(
        json.dumps(
            {"id": "e-1", "name": "上海临芯微电子科技有限公司", "size": "small"}, ensure_ascii=False
        )
        + "\n",
        encoding="utf-8",
    )
    data_dir = tmp_path / "fresh"
    first = run(data_dir, "import", "enterprises", str(source))
    second = run(data_dir, "import", "enterprises", str(source))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "enterprises: 1 created, 0 updated, 0 unchanged"
    assert second.stdout.strip() == "enterprises: 0 created, 0 updated, 1 unchanged"
    assert (data_dir / "matchmaker.sqlite3").exists()
    assert (data_dir / "secret_key").exists()


def test_failed_import_exits_non_zero_and_lists_the_problems(tmp_path: Path) -> None:
    source = tmp_path / "needs.csv"
    source.write_text(
        "id,enterprise_id,type,title,description\nn-1,e-404,technology,标题,描述\n", "utf-8"
    )
    result = run(tmp_path / "data", "import", "needs", str(source))
    assert result.returncode == 1
    assert "nothing was written" in result.stderr
    assert "needs.csv row 2 (id n-1): enterprise_id: unknown enterprise 'e-404'" in result.stderr


def test_export_to_file_and_stdout(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    source = tmp_path / "enterprises.jsonl"
    record = {
        "id": "e-1",
        "name": "上海临芯微电子科技有限公司",
        "size": "small",
        "tags": ["专精特新"],
    }
    source.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    assert run(data_dir, "import", "enterprises", str(source)).returncode == 0
    stdout = run(data_dir, "export", "enterprises", "--format", "csv")
    assert stdout.stdout.splitlines()[1] == "e-1,上海临芯微电子科技有限公司,small,,,,专精特新,,,,,,"
    target = tmp_path / "out.xlsx"
    written = run(data_dir, "export", "enterprises", "--format", "xlsx", "--output", str(target))
    assert written.returncode == 0 and "exported 1 enterprises" in written.stderr
    assert target.read_bytes()[:2] == b"PK"


def test_users_create_then_token_authenticates(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    env_password = "Sturdy-Password-7"
    created = run(
        data_dir, "users", "create", "--email", "Admin@Example.cn", "--role", "admin",
        "--name", "管理员", input=f"{env_password}\n{env_password}\n",
    )  # fmt: skip
    assert created.returncode == 0, created.stderr
    assert "created admin user admin@example.cn" in created.stdout
    token = run(data_dir, "users", "token", "admin@example.cn").stdout.strip()
    assert token.startswith("mm_") and len(token) > 40
    assert run(data_dir, "users", "list").stdout.splitlines() == ["admin@example.cn\tadmin\t"]
    app = create_app(load_settings(data_dir=data_dir))
    with TestClient(app) as client:
        me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    app.state.database.dispose()
    assert (me.status_code, me.json()["email"], me.json()["role"]) == (
        200,
        "admin@example.cn",
        "admin",
    )


def test_users_create_refuses_a_weak_password(tmp_path: Path) -> None:
    result = run(
        tmp_path, "users", "create", "--email", "a@example.cn", "--role", "organiser",
        "--name", "组织者", input="short\nshort\n",
    )  # fmt: skip
    assert result.returncode == 1
    assert "at least 10 characters" in result.stderr


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (["fixtures", "load", "{tmp}/nowhere"], "nowhere is not a directory"),
        (["import", "all", "{tmp}/empty"], "has no enterprises.*, profiles.* or needs.* file"),
        (["eval", "{tmp}/empty"], "empty/qrels.tsv is missing"),
    ],
)
def test_directory_commands_explain_a_bad_directory(
    tmp_path: Path, command: list[str], message: str
) -> None:
    (tmp_path / "empty").mkdir()
    result = run(tmp_path / "data", *(part.format(tmp=tmp_path) for part in command))
    assert result.returncode == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
