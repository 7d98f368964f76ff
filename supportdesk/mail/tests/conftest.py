"""A real IMAP server for the tests: Debian's dovecot-imapd on a random port, with a static
password and maildirs in a temporary folder (scripts/system-deps.sh installs it)."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from supportdesk.mail.models import Mailbox
from supportdesk.mail.tests.desk import our_mailbox
from supportdesk.mail.tests.smtp_server import Inbox, smtp_server

DOVECOT = "/usr/sbin/dovecot"
PASSWORD = "imap-test-pw"
CONFIG = """
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
ssl = no
disable_plaintext_auth = no
first_valid_uid = 0
{users}
mail_location = maildir:{root}/home/%u/Maildir
{auth}
{extra}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""
# Any user name logs in with PASSWORD. Tests of other logins pass their own (oauth2).
STATIC_AUTH = """
auth_mechanisms = plain login
passdb {{
  driver = static
  args = password={password}
}}
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"dovecot exited: {log.read_text() if log.exists() else ''}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail("dovecot did not start within 15 s")


@contextmanager
def run_dovecot(
    auth: str = STATIC_AUTH, extra: str = "", port: int = 0
) -> Iterator[dict[str, object]]:
    """A fresh dovecot: its host, port, user, password, root folder and master's pid. `auth`: the
    auth_mechanisms and passdb lines ({root} and {password} are filled in); `extra`: more
    settings; `port`: a given one (a server "restarted" on the same port), else a free one."""
    if not os.access(DOVECOT, os.X_OK):
        pytest.fail("dovecot is not installed: run scripts/system-deps.sh (apt-get dovecot-imapd)")
    root = Path(tempfile.mkdtemp(prefix="sd-dovecot-"))
    root.chmod(0o755)
    (root / "home").mkdir(mode=0o777)
    (root / "home").chmod(0o777)
    if os.getuid() == 0:
        # Dovecot never delivers mail as root: the maildirs belong to nobody.
        owner, users = pwd.getpwnam("nobody"), ""
    else:
        owner = pwd.getpwuid(os.getuid())
        users = f"default_internal_user = {owner.pw_name}\ndefault_login_user = {owner.pw_name}"
    port = port or _free_port()
    config = root / "dovecot.conf"
    config.write_text(
        CONFIG.format(
            root=root,
            users=users,
            auth=auth.format(root=root, password=PASSWORD),
            extra=extra,
            uid=owner.pw_uid,
            gid=owner.pw_gid,
            port=port,
        )
    )
    process = subprocess.Popen(  # noqa: S603
        [DOVECOT, "-F", "-c", str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT
    )
    try:
        _wait(port, process, root / "dovecot.log")
        yield {
            "host": "127.0.0.1",
            "port": port,
            "user": "support",
            "password": PASSWORD,
            "root": root,
            "pid": process.pid,
        }
    finally:
        process.terminate()
        process.wait(timeout=10)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def dovecot() -> Iterator[dict[str, object]]:
    """Host, port, user and password of a fresh IMAP server; any user name logs in."""
    with run_dovecot() as server:
        yield server


@pytest.fixture
def smtp() -> Iterator[Inbox]:
    """A real SMTP server on loopback that keeps what it receives."""
    with smtp_server() as inbox:
        yield inbox


@pytest.fixture
def mailbox(smtp: Inbox) -> Mailbox:
    """Our support address, sending through the loopback SMTP server."""
    return our_mailbox(smtp)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):  # type: ignore[no-untyped-def]
    """Run the on-commit work (subscribers, jobs) of the block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
