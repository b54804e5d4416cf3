"""Cases 1-7 of the clinic-scale issue, replayed on real servers A and B sharing a database.

A is `crampwise serve` (one process); B runs two worker processes. Each case acts on one
server and checks the effect on the other at its very next request: nothing waits for a
cache to expire.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from ..support import PASSWORD
from .conftest import Browser, Cluster, Server

NewBrowser = Callable[[], Browser]


@pytest.fixture(scope="module")
def olive(cluster: Cluster) -> Iterator[Browser]:
    """The owner, set up through A's /setup form and signed in."""
    browser = Browser()
    data = {"name": "olive", "password": PASSWORD, "password2": PASSWORD}
    assert browser.form(cluster.a, "/setup", "/setup", **data).status_code == 303
    yield browser
    browser.close()


def join(cluster: Cluster, olive: Browser, new: NewBrowser, name: str) -> Browser:
    """An account made through an invitation from olive (on A), joined on B, signed in."""
    page = olive.form(cluster.a, "/invite", "/invite").text
    link = re.search(r'value="http://[^/"]+(/join/[^"]+)"', page)
    assert link, page
    member = new()
    data = {"name": name, "password": PASSWORD, "password2": PASSWORD}
    assert member.form(cluster.b, link.group(1), link.group(1), **data).status_code == 303
    return member


def csrf(browser: Browser, server: Server) -> dict[str, str]:
    token = browser.get(server, "/api/v1/session").json()["csrf_token"]
    return {"x-csrf-token": token}


def user_names(cluster: Cluster) -> set[str]:
    engine = sa.create_engine(cluster.database_url)
    try:
        with engine.connect() as conn:
            return set(conn.execute(sa.text("SELECT name FROM users")).scalars())
    finally:
        engine.dispose()


def signed_in(browser: Browser, server: Server) -> bool:
    response = browser.get(server, "/")
    assert response.status_code in (200, 303), response.status_code
    return response.status_code == 200


def test_1_sign_out_on_a_ends_the_session_on_b(
    cluster: Cluster, olive: Browser, browsers: NewBrowser
) -> None:
    mia = join(cluster, olive, browsers, "mia")
    assert signed_in(mia, cluster.b) and signed_in(mia, cluster.b)  # B has it in hand
    cookie = dict(mia.cookies)
    assert (
        mia.request("POST", cluster.a, "/logout", headers=csrf(mia, cluster.a)).status_code == 303
    )
    mia.cookies = cookie  # the old cookie, as a copied or stolen one would be
    assert not signed_in(mia, cluster.b)
    assert not signed_in(mia, cluster.a)


def test_2_password_change_on_a_signs_out_every_session_on_b(
    cluster: Cluster, olive: Browser, browsers: NewBrowser
) -> None:
    phone = join(cluster, olive, browsers, "pia")
    assert signed_in(phone, cluster.b)
    laptop = browsers()
    assert laptop.sign_in(cluster.a, "pia").status_code == 303
    new = "a brand new passphrase"
    data = {"current": PASSWORD, "password": new, "password2": new}
    changed = laptop.form(cluster.a, "/account/password", "/account/password", **data)
    assert changed.status_code == 303
    assert not signed_in(phone, cluster.b)
    assert signed_in(laptop, cluster.b)  # the fresh session made with the change works


def test_3_account_deleted_on_a_cannot_write_through_b(
    cluster: Cluster, olive: Browser, browsers: NewBrowser
) -> None:
    dan = join(cluster, olive, browsers, "dan")
    # The servers are other processes on the real clock: a cramp an hour ago is always valid.
    night = datetime.now().replace(microsecond=0) - timedelta(hours=1)
    assert dan.log_cramp(cluster.b, night).status_code == 201
    cookie = dict(dan.cookies)
    deleted = dan.form(cluster.a, "/account/password", "/account/delete", password=PASSWORD)
    assert deleted.status_code == 303
    dan.cookies = cookie
    assert dan.log_cramp(cluster.b, night - timedelta(minutes=5)).status_code in (401, 403)
    assert not signed_in(dan, cluster.b)
    assert "dan" not in user_names(cluster)  # no password-less row brought back


def test_4_sign_in_failures_count_across_servers(cluster: Cluster, browsers: NewBrowser) -> None:
    guesser = browsers()
    for n in range(5):  # the account limit, alternating A, B, A, B, A
        server = (cluster.a, cluster.b)[n % 2]
        assert guesser.sign_in(server, "nina", f"guess {n}").status_code == 401
    for server in (cluster.b, cluster.a):
        refused = guesser.sign_in(server, "nina", "guess again")
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 15 * 60


def test_5_open_sign_up_switched_off_on_a_holds_on_b(
    cluster: Cluster, olive: Browser, browsers: NewBrowser
) -> None:
    def switch(value: str) -> None:
        answer = olive.form(cluster.a, "/invite", "/invite/open-signup", open_signup=value)
        assert answer.status_code == 303

    stranger = browsers()
    switch("true")
    assert stranger.get(cluster.b, "/join").status_code == 200  # B has seen it open
    switch("false")
    assert stranger.get(cluster.b, "/join").status_code == 404
    stranger.get(cluster.b, "/login")  # a pre-login CSRF cookie, as a real form would have
    data = {"name": "eve", "password": PASSWORD, "password2": PASSWORD}
    token = stranger.cookies["crampwise_csrf"]
    posted = stranger.request("POST", cluster.b, "/join", data={**data, "csrf_token": token})
    assert posted.status_code == 404
    assert "eve" not in user_names(cluster)


def test_6_several_workers_serve_one_app(cluster: Cluster, browsers: NewBrowser) -> None:
    # B was started with --workers 2 (SQLite) or WEB_CONCURRENCY=2 (PostgreSQL); A with
    # neither: one process, no workers of its own.
    assert len(cluster.b.workers()) == 2
    assert cluster.a.workers() == []
    visitor = browsers()
    assert all(visitor.get(cluster.b, "/login").status_code == 200 for _ in range(6))


def test_7_a_kept_tonight_page_follows_a_write_made_on_the_other_server(
    cluster: Cluster, olive: Browser, browsers: NewBrowser
) -> None:
    tom = join(cluster, olive, browsers, "tom")
    for _ in range(2):  # the second visit is served from A's kept copy
        assert "No nights in your diary yet" in tom.get(cluster.a, "/").text
    assert tom.log_cramp(cluster.b, datetime.now().replace(microsecond=0)).status_code == 201
    assert "1 cramp on 1 of the last 14 nights" in tom.get(cluster.a, "/").text


def test_through_a_round_robin_nginx_every_request_sees_the_same_state(
    cluster: Cluster, olive: Browser, proxy: Server, browsers: NewBrowser
) -> None:
    """Each request through the proxy goes to the next server in turn (A, B, A ...)."""
    ray = join(cluster, olive, browsers, "ray")
    assert all(signed_in(ray, proxy) for _ in range(4))
    cookie = dict(ray.cookies)
    assert ray.request("POST", proxy, "/logout", headers=csrf(ray, proxy)).status_code == 303
    ray.cookies = cookie
    assert not any(signed_in(ray, proxy) for _ in range(4))

    guesser = browsers()
    for n in range(5):
        assert guesser.sign_in(proxy, "noor", f"guess {n}").status_code == 401
    assert [guesser.sign_in(proxy, "noor", "again").status_code for _ in range(2)] == [429] * 2

    stranger = browsers()
    olive.form(proxy, "/invite", "/invite/open-signup", open_signup="true")
    assert [stranger.get(proxy, "/join").status_code for _ in range(2)] == [200] * 2
    olive.form(proxy, "/invite", "/invite/open-signup", open_signup="false")
    assert [stranger.get(proxy, "/join").status_code for _ in range(2)] == [404] * 2
