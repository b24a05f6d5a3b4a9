"""`matchmaker events create|invite|list` run an event from the shell with the portal's rules."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Factory
from test_cli import run

from matchmaker.config import load_settings
from matchmaker.db import Database
from matchmaker.events.models import EventNeed
from matchmaker.fields import EnterpriseSize, Role


def test_create_invite_and_list_from_the_shell(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path)
    run(tmp_path, "migrate")
    database = Database(settings.db_url)
    with database.session() as db:
        make = Factory(db)
        organiser = make.user(Role.ORGANISER)
        need = make.need(make.enterprise(EnterpriseSize.LARGE))
        email, need_id = organiser.email, need.id
    created = run(tmp_path, "events", "create", "--title", "张江生物医药对接会",
                  "--starts-at", "2027-05-20T14:00", "--organiser", email, "--chain", "biomed",
                  "--publish")  # fmt: skip
    assert created.returncode == 0, created.stderr
    event_id = created.stdout.strip()
    bad = run(tmp_path, "events", "invite", event_id, "--need", "no-such-need")
    assert bad.returncode == 1 and "need 'no-such-need' does not exist" in bad.stderr
    good = run(tmp_path, "events", "invite", event_id, "--need", need_id)
    assert good.stdout.strip() == "invited 1 needs and 0 SMEs (0 already taking part)"
    with database.session() as db:
        assert db.get(EventNeed, (event_id, need_id)) is not None
    listed = [json.loads(line) for line in run(tmp_path, "events", "list").stdout.splitlines()]
    assert listed == [{"id": event_id, "title": "张江生物医药对接会", "status": "published",
                       "starts_at": "2027-05-20T06:00:00+00:00"}]  # fmt: skip
    database.dispose()


def test_create_refuses_an_unknown_organiser(tmp_path: Path) -> None:
    result = run(tmp_path, "events", "create", "--title", "x", "--starts-at", "2027-05-20T14:00",
                 "--organiser", "nobody@example.cn")  # fmt: skip
    assert result.returncode == 1 and "no user with email nobody@example.cn" in result.stderr
