"""Migrations run once (`crampwise db upgrade`, or `crampwise serve` before its workers
start), never by each worker: a worker on a schema that is behind refuses to start."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from crampwise.cli import app as cli
from crampwise.errors import InputError
from crampwise.store.engine import script_heads
from crampwise.web import server
from crampwise.web.settings import WebSettings


def test_workers_refuse_a_schema_that_is_behind_until_db_upgrade(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'clinic.sqlite3'}"
    sa.create_engine(url).connect().close()  # an empty file: never migrated
    settings = WebSettings(
        database_url=url, argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1
    )
    monkeypatch.setenv(server.SETTINGS_ENV, settings.model_dump_json())
    monkeypatch.setenv(server.BIND_HOST_ENV, "127.0.0.1")
    with pytest.raises(InputError, match="crampwise db upgrade"):
        server.worker_app()

    monkeypatch.setenv("CRAMPWISE_DATABASE_URL", url)
    result = CliRunner().invoke(cli, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert sorted(script_heads())[0] in result.output
    worker = server.worker_app()
    try:
        assert worker.app.state.ctx.store.url == url
    finally:
        worker.app.state.ctx.close()
