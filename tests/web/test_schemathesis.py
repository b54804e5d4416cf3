"""The API does what its OpenAPI description says: schemathesis against a live `crampwise serve`.

Every check is on (`tests/web/schemathesis.toml` says where one is narrowed, and why). The
run is bounded: 90 seconds here in `make test`, `CRAMPWISE_FUZZ_SECONDS` (as `make fuzz`
sets) for the longer one, which also draws a new seed each time. Any server error, any
answer or status the description does not have, fails the test with schemathesis's report.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlalchemy as sa

from crampwise.store import open_store
from crampwise.store.auth import AuthStore
from crampwise.store.auth_tables import api_tokens

CONFIG = Path(__file__).with_name("schemathesis.toml")
SECONDS = int(os.environ.get("CRAMPWISE_FUZZ_SECONDS", "90"))
# The fuzzer deletes /tokens/{id} for ids it makes up (1, 2, the largest...): the token it
# signs in with gets an id far from those, so the run is not signed out half-way.
TOKEN_ID = 1_234_567


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _account_with_token(url: str) -> str:
    with open_store(url) as store:
        auth = AuthStore(store.engine)
        account = auth.create_account("fuzz", "not-a-hash", "owner", claim=False)
        made, secret = auth.create_api_token(account.id, "schemathesis", None)
        with store.engine.begin() as conn:
            conn.execute(api_tokens.update().where(api_tokens.c.id == made.id).values(id=TOKEN_ID))
    return secret


def _get(url: str, token: str) -> int:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as err:
        return err.code


def _wait_until_up(proc: subprocess.Popen[str], url: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            assert proc.poll() is None, "crampwise serve stopped at start"
            assert time.monotonic() < deadline, "crampwise serve did not start"
            time.sleep(0.2)


def test_the_api_keeps_to_its_openapi_description(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fuzz.sqlite3'}"
    token = _account_with_token(url)
    port = _free_port()
    base = f"http://127.0.0.1:{port}/api/v1"
    env = {**os.environ, "CRAMPWISE_DATABASE_URL": url, "NO_COLOR": "1"}
    log = tmp_path / "serve.log"
    with log.open("w") as server_log:
        server = subprocess.Popen(
            [str(Path(sys.executable).with_name("crampwise")), "serve", "--port", str(port)],
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            _wait_until_up(server, f"{base}/openapi.json")
            seed = [] if "CRAMPWISE_FUZZ_SECONDS" in os.environ else ["--seed", "20260304"]
            run = subprocess.run(
                [
                    str(Path(sys.executable).with_name("st")),
                    "--config-file",
                    str(CONFIG),
                    "run",
                    f"{base}/openapi.json",
                    "--header",
                    f"Authorization: Bearer {token}",
                    "--max-time",
                    str(SECONDS),
                    "--request-timeout",
                    "30",
                    "--no-color",
                    *seed,
                ],
                env=env,
                capture_output=True,
                text=True,
                timeout=SECONDS + 240,
                cwd=tmp_path,
            )
            still_signed_in = _get(f"{base}/episodes", token)
        finally:
            server.terminate()
            server.wait(timeout=30)
    report = run.stdout[-6000:] + run.stderr[-2000:]
    assert run.returncode == 0, report
    assert "Exception in ASGI application" not in log.read_text(), log.read_text()[-4000:]
    # The run reached the diary itself, not only refusals: the token still works, and
    # cramps were stored through the API.
    assert still_signed_in == 200
    with open_store(url) as store, store.engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT count(*) FROM episodes")).scalar_one()
    if stored == 0:
        pytest.fail("no cramp was stored: the run never got past the refusals\n" + report)
