"""The benchmark generator at a tiny N, untimed: its rows agree with what the services
would have written, the cache is reused, and the app works on the result."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bench.common import REPO
from bench.generate import BenchDatabase, ensure_database

pytestmark = pytest.mark.bench
N = 1000


@pytest.fixture(scope="module")
def built(tmp_path_factory):  # type: ignore[no-untyped-def]
    data = tmp_path_factory.mktemp("bench-data")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("SUPPORTDESK_DATA_DIR", str(data))
        env.delenv("DATABASE_URL", raising=False)  # this test covers the SQLite cache
        first = ensure_database(N)
        second = ensure_database(N)
    return first, second


@pytest.fixture(scope="module")
def db(built):  # type: ignore[no-untyped-def]
    first, _ = built
    path = first.url.removeprefix("sqlite:///")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    yield connection
    connection.close()


def one(db: sqlite3.Connection, sql: str):  # type: ignore[no-untyped-def]
    return db.execute(sql).fetchone()[0]


def test_database_is_cached_by_n_and_schema(built):  # type: ignore[no-untyped-def]
    first, second = built
    assert not first.cached and second.cached
    assert second.url == first.url and f"sqlite-N{N}-v" in first.url
    assert first.rows == second.rows and first.tokens == second.tokens
    assert first.env["DATABASE_URL"] == first.url and first.env["SUPPORTDESK_DATA_DIR"]


def test_counts_and_message_counts_agree(db, built):  # type: ignore[no-untyped-def]
    first: BenchDatabase = built[0]
    assert one(db, "SELECT count(*) FROM tickets_ticket") == N
    assert one(db, "SELECT count(*) FROM tickets_message") == first.rows["messages"]
    assert one(db, "SELECT count(*) FROM tickets_ticketevent") == first.rows["events"]
    wrong = """SELECT count(*) FROM tickets_ticket t WHERE message_count !=
               (SELECT count(*) FROM tickets_message m WHERE m.ticket_id = t.number)
               OR message_count NOT BETWEEN 2 AND 6"""
    assert one(db, wrong) == 0
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert one(db, "PRAGMA journal_mode") == "wal"


def test_denormalised_fields_match_the_messages(db):  # type: ignore[no-untyped-def]
    rows = db.execute("""
        SELECT t.number, t.last_activity_at, t.first_reply_at, t.last_public_by_id,
               t.last_public_by_agent, t.updated_at, t.created_at,
               (SELECT max(created_at) FROM tickets_message m WHERE m.ticket_id = t.number),
               (SELECT min(m.created_at) FROM tickets_message m JOIN accounts_user u
                  ON u.id = m.author_id WHERE m.ticket_id = t.number AND m.public
                  AND u.role != 'customer'),
               (SELECT m.author_id FROM tickets_message m WHERE m.ticket_id = t.number
                  AND m.public ORDER BY m.id DESC LIMIT 1)
        FROM tickets_ticket t""").fetchall()
    for number, activity, first_reply, last_by, _agent, updated, created, *actual in rows:
        last_message, first_agent_reply, last_public_author = actual
        assert activity == last_message, number
        assert first_reply == first_agent_reply, number
        assert last_by == last_public_author, number
        assert created <= activity <= updated, number
    agents = one(
        db,
        """SELECT count(*) FROM tickets_ticket t JOIN accounts_user u
                        ON u.id = t.last_public_by_id WHERE t.last_public_by_agent
                        != (u.role != 'customer')""",
    )
    assert agents == 0


def test_status_follows_its_events(db):  # type: ignore[no-untyped-def]
    last_status = """SELECT t.status, (SELECT json_extract(e.new, '$') FROM tickets_ticketevent e
                     WHERE e.ticket_id = t.number AND e.field = 'status' ORDER BY e.id DESC
                     LIMIT 1) FROM tickets_ticket t"""
    for status, last in db.execute(last_status):
        assert status == (last or "new")
    assert (
        one(
            db,
            "SELECT count(*) FROM tickets_ticket WHERE status IN ('solved', 'closed') "
            "AND solved_at IS NULL",
        )
        == 0
    )
    assert (
        one(
            db,
            "SELECT count(*) FROM tickets_ticket WHERE (status = 'closed') "
            "!= (closed_at IS NOT NULL)",
        )
        == 0
    )
    internal = "SELECT count(*) FROM tickets_ticketevent WHERE field = 'custom_fields' AND public"
    assert one(db, internal) == 0  # as _set_custom_fields records them
    per_ticket = "SELECT count(*) FROM tickets_ticketevent WHERE kind = '{}'"
    assert one(db, per_ticket.format("created")) == N
    assert one(db, per_ticket.format("message")) == one(db, "SELECT count(*) FROM tickets_message")


def test_tag_rows_match_ticket_tags(db):  # type: ignore[no-untyped-def]
    rows = {}
    for number, name in db.execute("SELECT ticket_id, name FROM tickets_tickettag"):
        rows.setdefault(number, []).append(name)
    for number, tags in db.execute("SELECT number, tags FROM tickets_ticket"):
        assert sorted(json.loads(tags)) == sorted(rows.get(number, [])), number


def test_search_index_is_complete(db):  # type: ignore[no-untyped-def]
    assert one(db, "SELECT count(*) FROM search_ticketdocument") == N
    assert (
        one(db, "SELECT count(*) FROM search_ticket_fts WHERE search_ticket_fts MATCH 'refund'") > 0
    )
    public = "SELECT public_text FROM search_ticketdocument WHERE ticket_id = 7"
    bodies = "SELECT body FROM tickets_message WHERE ticket_id = 7 AND public ORDER BY id"
    assert one(db, public) == "\n".join(row[0] for row in db.execute(bodies))


def test_the_app_works_on_the_generated_data(built):  # type: ignore[no-untyped-def]
    """Services and search, in a process of their own against the generated file: new
    rows continue after the generated ids, and the index answers."""
    first: BenchDatabase = built[0]
    script = """
from supportdesk.accounts.models import User
from supportdesk.search.backends import search_ticket_numbers
from supportdesk.tickets.models import Ticket
from supportdesk.tickets.services import create_ticket, reply
customer = User.objects.get(email="customer@example.com")
ticket = create_ticket(by=customer, requester=customer, subject="Zebra invoice", body="Hello")
agent = User.objects.get(email="agent@example.com")
reply(ticket, author=agent, body="On it", public=False)
ticket.refresh_from_db()
print(ticket.number, ticket.message_count, search_ticket_numbers(
    "zebra", public_only=False, within=None, limit=5, offset=0))
"""
    env = {
        **first.env,
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "HUEY_IMMEDIATE": "false",
        "PATH": "/usr/bin:/bin",
    }
    copy = Path(first.url.removeprefix("sqlite:///"))
    scratch = copy.with_name("scratch.sqlite3")
    scratch.write_bytes(copy.read_bytes())  # the cached file stays as generated
    env["DATABASE_URL"] = f"sqlite:///{scratch}"
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + script],
        env=env,
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert out[0] == str(N + 1) and out[1] == "2" and out[2] == f"[{N + 1}]"
