"""A real HTTP receiver on loopback, and an endpoint pointing at it."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from supportdesk.webhooks.models import WebhookEndpoint
from supportdesk.webhooks.services import save_endpoint


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """Records every POST; answers with the next of `answers` (then 200), each a status
    code or (status code, extra headers, body)."""

    url: str
    requests: list[Received] = field(default_factory=list)
    answers: list[Any] = field(default_factory=list)

    def answer(self, *answers: Any) -> None:
        self.answers.extend(answers)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the stdlib's name)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            receiver.requests.append(Received(self.path, headers, body))
            answer = receiver.answers.pop(0) if receiver.answers else 200
            code, extra, text = answer if isinstance(answer, tuple) else (answer, {}, b"ok")
            self.send_response(code)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(text)))
            self.end_headers()
            self.wfile.write(text)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver("")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rec))
    rec.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL where nothing listens: connecting fails at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


@pytest.fixture
def endpoint(admin: Any, receiver: Receiver) -> WebhookEndpoint:
    return save_endpoint(by=admin, name="Pager", url=receiver.url)


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks: Any) -> Callable[[], Any]:
    """`with on_commit():` runs the jobs the block queued, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
