"""An installed wheel carries the web assets, model artifacts and migrations it needs."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def test_wheel_contains_web_models_and_migrations(tmp_path: Path) -> None:
    from hatchling.builders.wheel import WheelBuilder

    root = Path(__file__).resolve().parents[2]
    [wheel] = list(WheelBuilder(str(root)).build(directory=str(tmp_path), versions=["standard"]))
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "matchmaker/_bundled/web/templates/base.html" in names
    assert "matchmaker/_bundled/web/static/css/app.css" in names
    assert "matchmaker/_bundled/models/README.md" in names
    assert any(name.startswith("matchmaker/migrations/versions/") for name in names)
    assert "matchmaker/migrations/script.py.mako" in names
    assert "matchmaker/fixtures/vocabulary.yaml" in names


def test_resources_prefer_the_bundled_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from matchmaker import resources

    package = tmp_path / "site-packages" / "matchmaker"
    (package / "_bundled" / "web").mkdir(parents=True)
    (package / "_bundled" / "models").mkdir(parents=True)
    monkeypatch.setattr(resources, "_PACKAGE", package)
    assert resources.web_dir() == package / "_bundled" / "web"
    assert resources.models_dir() == package / "_bundled" / "models"
    monkeypatch.setattr(resources, "_PACKAGE", tmp_path / "elsewhere" / "matchmaker")
    with pytest.raises(FileNotFoundError, match="web/ directory is missing"):
        resources.web_dir()
