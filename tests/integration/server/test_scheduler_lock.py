"""Scheduler leadership is per database: the SQLite lock lives beside the database file, so the
working directory a hub is started from does not matter."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from hub.config import Settings
from hub.scheduler import acquire_leadership


def _hub(database: Path, workdir: Path) -> Any:
    """What leadership looks at: the settings' database URL and the app's instance folder."""
    return SimpleNamespace(config={"HUB_SETTINGS": Settings(database_url=f"sqlite:///{database}")},
                           instance_path=str(workdir / "instance"))


def test_two_databases_started_from_one_directory_each_get_a_leader(tmp_path: Path):
    first = acquire_leadership(_hub(tmp_path / "a.db", tmp_path))
    second = acquire_leadership(_hub(tmp_path / "b.db", tmp_path))
    try:
        assert first is not None and second is not None
    finally:
        for handle in (first, second):
            if handle is not None:
                os.close(handle)


def test_one_database_started_from_two_directories_has_one_leader(tmp_path: Path):
    database = tmp_path / "data" / "hub.db"
    database.parent.mkdir()
    leader = acquire_leadership(_hub(database, tmp_path / "one"))
    try:
        assert leader is not None
        assert acquire_leadership(_hub(database, tmp_path / "two")) is None
        assert (tmp_path / "data" / "hub.db.scheduler.lock").exists()
    finally:
        os.close(leader)
    again = acquire_leadership(_hub(database, tmp_path / "two"))  # free once the leader is gone
    assert again is not None
    os.close(again)
