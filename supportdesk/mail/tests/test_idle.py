"""`mail poll --idle`: a long-lived IMAP IDLE connection imports mail as it arrives, polls
on connect, survives the server going away, and stops cleanly (real dovecot)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from queue import Empty, Queue

import pytest
from imapclient import IMAPClient

from supportdesk.mail.imap import idle
from supportdesk.mail.models import Mailbox
from supportdesk.mail.tests.conftest import run_dovecot
from supportdesk.mail.tests.smtp_server import free_port
from supportdesk.tickets.models import Ticket

REPO = Path(__file__).resolve().parents[3]


def _message(n: int) -> bytes:
    m = EmailMessage()
    m["From"] = f"customer{n}@example.test"
    m["To"] = "support@desk.test"
    m["Subject"] = f"Idle question {n}"
    m["Message-ID"] = f"<idle{n}@example.test>"
    m.set_content(f"Question number {n}")
    return m.as_bytes()


def _append(server: dict[str, object], *numbers: int) -> None:
    with IMAPClient(str(server["host"]), port=int(str(server["port"])), ssl=False) as client:
        client.login(str(server["user"]), str(server["password"]))
        for n in numbers:
            client.append("INBOX", _message(n))


def _mailbox(port: object) -> Mailbox:
    return Mailbox.objects.create(
        name="Support",
        address="support@desk.test",
        imap_host="127.0.0.1",
        imap_port=port,
        imap_security="none",
        imap_username="support",
        imap_password="imap-test-pw",
    )


def _until(condition: Callable[[], bool], seconds: float) -> float:
    """Seconds until `condition` held; fails after `seconds`."""
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > seconds:
            pytest.fail(f"not within {seconds} s")
        time.sleep(0.05)
    return time.monotonic() - began


def _subjects() -> list[str]:
    return sorted(Ticket.objects.values_list("subject", flat=True))


@contextmanager
def idling(mailbox: Mailbox, **options: object) -> Iterator[list[str]]:
    """`idle` in a thread (as the command runs it); yields the lines it emitted."""
    stop, lines = threading.Event(), []
    thread = threading.Thread(
        target=idle,
        args=(mailbox, stop, lambda _m, line: lines.append(line)),
        kwargs=options,
        daemon=True,
    )
    thread.start()
    try:
        yield lines
    finally:
        stop.set()
        thread.join(timeout=5)
        assert not thread.is_alive(), "idle did not stop within 5 s"


def _imap_processes(master: int) -> list[int]:
    """The dovecot "imap" processes (one per logged-in connection) under `master`."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" ", 1)
        except OSError:
            continue
        name, fields = rest.rsplit(") ", 1)
        if name == "(imap" and int(fields.split()[1]) == master:
            found.append(int(pid))
    return found


def _new(lines: list[str]) -> int:
    # The lines, not the database: on SQLite's shared in-memory test database a read
    # while the idle thread writes fails with "table is locked".
    return sum(line.startswith("new ticket") for line in lines)


@pytest.mark.django_db(transaction=True)
def test_idle_imports_what_was_waiting_then_mail_as_it_arrives(dovecot) -> None:  # type: ignore[no-untyped-def]
    _append(dovecot, 1)  # before the connection: imported on connect
    with idling(_mailbox(dovecot["port"])) as lines:
        _until(lambda: _new(lines) == 1, 10)
        _append(dovecot, 2)
        waited = _until(lambda: _new(lines) == 2, 10)
        assert waited < 3, f"the new message took {waited:.1f} s"
        _append(dovecot, 3, 4)
        _until(lambda: _new(lines) == 4, 10)
    assert len(lines) == 4
    assert _subjects() == [f"Idle question {n}" for n in (1, 2, 3, 4)]
    with IMAPClient("127.0.0.1", port=int(str(dovecot["port"])), ssl=False) as client:
        client.login("support", "imap-test-pw")
        client.select_folder("INBOX")
        # All marked: a poll after the idle finds nothing new.
        assert client.search(["NOT", "KEYWORD", "$SupportdeskImported"]) == []


@pytest.mark.django_db(transaction=True)
def test_idle_reconnects_when_the_server_goes_away_and_comes_back() -> None:
    port = free_port()
    mailbox = _mailbox(port)
    with idling(mailbox, backoff=(0.2, 1.0)) as lines:
        # Nothing listens yet: it retries, saying why, waiting longer each time.
        _until(lambda: len(lines) >= 2, 10)
        assert lines[0].startswith(f"failed: 127.0.0.1:{port} refused the connection")
        assert lines[0].endswith("reconnecting in 0.2 s") and lines[1].endswith("in 0.4 s")
        with run_dovecot(port=port) as server:
            _append(server, 1)
            _until(lambda: _new(lines) == 1, 10)
            time.sleep(0.5)  # idling now
            # Its connection dies without a word (the imap process killed): the end of
            # the stream is noticed at once, not after the 25 minutes of an IDLE.
            for pid in _imap_processes(int(str(server["pid"]))):
                os.kill(pid, signal.SIGKILL)
            _until(lambda: any("closed the connection" in line for line in lines), 5)
            _append(server, 2)
            _until(lambda: _new(lines) == 2, 10)
            time.sleep(0.5)
        # The server shut down (it says BYE): reconnected to the next one.
        _until(lambda: any("ended the session (BYE)" in line for line in lines), 5)
        with run_dovecot(port=port) as server:  # a new server, an empty maildir
            _append(server, 3)
            _until(lambda: _new(lines) == 3, 10)
    assert _subjects() == [f"Idle question {n}" for n in (1, 2, 3)]


@pytest.mark.django_db(transaction=True)
def test_idle_renews_its_idle_and_ends_when_the_mailbox_is_disabled(dovecot) -> None:  # type: ignore[no-untyped-def]
    mailbox = _mailbox(dovecot["port"])
    with idling(mailbox, renew=0.3) as lines:
        time.sleep(1.2)  # several IDLE/DONE rounds with nothing to import
        _append(dovecot, 5)
        _until(lambda: _new(lines) == 1, 10)
    assert lines == ["new ticket " + str(Ticket.objects.get().pk)]
    Mailbox.objects.filter(pk=mailbox.pk).update(enabled=False)
    began = time.monotonic()
    idle(mailbox, threading.Event())  # returns at once: nothing to do for a disabled mailbox
    assert time.monotonic() - began < 1


def _env(data: Path) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "SUPPORTDESK_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "supportdesk.settings",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    }


def _lines(process: subprocess.Popen[str]) -> Queue[str]:
    lines: Queue[str] = Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    return lines


def _next(lines: Queue[str], prefix: str, seconds: float = 15) -> str:
    deadline = time.monotonic() + seconds
    while True:
        try:
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
        except Empty:
            pytest.fail(f"no line starting {prefix!r} within {seconds} s")
        if line.startswith(prefix):
            return line


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603
        command, env=env, cwd=REPO, capture_output=True, text=True, timeout=120
    )


@pytest.mark.processes
def test_the_command_polls_once_or_idles_until_sigterm(dovecot, tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = _env(tmp_path)
    setup = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); from supportdesk.mail.models import Mailbox; "
        "Mailbox.objects.create(name='S', address='support@desk.test', imap_host='127.0.0.1', "
        f"imap_port={dovecot['port']}, imap_security='none', imap_username='support', "
        "imap_password='imap-test-pw')"
    )
    assert _run([sys.executable, "-c", setup], env).returncode == 0
    command = [sys.executable, "-m", "supportdesk.cli", "mail", "poll"]
    _append(dovecot, 1)
    once = _run(command, env)
    assert once.returncode == 0, once.stderr
    assert once.stdout.splitlines() == ["support@desk.test: new ticket 1"]
    unknown = _run([*command, "--mailbox", "nobody@desk.test"], env)
    assert unknown.returncode == 2 and "no enabled IMAP mailbox nobody@desk.test" in unknown.stderr
    process = subprocess.Popen(  # noqa: S603
        [*command, "--idle", "--mailbox", "support@desk.test"],
        env={**env, "PYTHONUNBUFFERED": "1"},
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = _lines(process)
        _next(lines, "support@desk.test: connecting (IDLE)")
        time.sleep(1)  # logged in and idling
        _append(dovecot, 2)
        assert _next(lines, "support@desk.test: new") == "support@desk.test: new ticket 2"
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    finally:
        if process.poll() is None:
            process.kill()
