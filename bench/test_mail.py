"""`make test` runs the e-mail ingestion benchmark once at a tiny N, untimed, so it never
rots; and checks that its messages are what it says: unique, and replies that thread."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bench import mail

pytestmark = pytest.mark.bench


def _fixtures() -> list[bytes]:
    found = mail.fixtures()
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail(f"no e-mail fixtures in {mail.EMAIL}")
        pytest.skip(f"no e-mail fixtures in {mail.EMAIL} (../shared/data/email)")
    return found


def test_copies_get_their_own_message_id_and_replies_name_an_earlier_one() -> None:
    base = _fixtures()
    work = mail.messages(300, base)
    ids = [mail.header(mail.split(raw)[0], b"message-id") for raw in work]
    assert len(set(ids)) == 300 and ids[7] == b"<bench-7@bench.invalid>"
    replies = [raw for raw in work if mail.header(mail.split(raw)[0], b"in-reply-to")]
    assert 0.2 * 300 < len(replies) < 0.4 * 300
    for raw in replies:
        fields = mail.split(raw)[0]
        parent = int(mail.header(fields, b"in-reply-to").split(b"-")[1].split(b"@")[0])
        assert mail.header(fields, b"references") == f"<bench-{parent}@bench.invalid>".encode()
        assert mail.header(fields, b"from") == mail.header(mail.split(work[parent])[0], b"from")
    # Only the headers changed: the body is the fixture's, byte for byte.
    assert mail.split(work[len(base) + 1])[2] == mail.split(base[1])[2]


def test_mail_benchmark_runs_end_to_end_at_tiny_n(tmp_path) -> None:  # type: ignore[no-untyped-def]
    _fixtures()
    # Its own process: the benchmark sets Django up on a database of its own.
    env = {"SUPPORTDESK_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "bench.mail", "--n", "200"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    doc = json.loads(done.stdout.strip().splitlines()[-1])
    assert doc["benchmark"] == "mail" and doc["n"] == 200
    rows = {row["measure"]: row for row in doc["results"]}
    assert rows["parse only"]["messages"] == rows["ingest (parse, thread, store)"]["messages"]
    assert rows["ingest again (duplicates)"]["messages"] == 20
    assert sum(doc["outcomes"].values()) == 200 and doc["outcomes"]["reply"] > 0
    assert (tmp_path / "bench" / "mail" / "supportdesk.sqlite3").exists()
