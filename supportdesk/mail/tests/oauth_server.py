"""A real OAuth 2 provider on loopback for the tests (http.server in a thread): a token
endpoint that trades refresh tokens for access tokens (RFC 6749 section 6), optionally
rotating them, and an introspection endpoint (RFC 7662) that dovecot's oauth2 passdb asks
whether an access token is valid."""

from __future__ import annotations

import json
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

CLIENT_ID = "desk-client"
CLIENT_SECRET = "desk-secret"
USER = "support@desk.test"


class Provider:
    """State of the fake provider; tests change it between calls."""

    def __init__(self) -> None:
        self.refresh_tokens = {"rt-1"}  # the refresh tokens it accepts
        self.access_tokens: set[str] = set()  # issued, valid for introspection
        self.rotate = False  # answer with a new refresh token (and retire the old one)
        self.expires_in: int | None = 3600
        self.broken = ""  # a raw body to answer with status 500
        self.requests: list[dict[str, str]] = []  # forms posted to /token
        self.introspections = 0
        self.port = 0

    @property
    def token_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/token"

    @property
    def introspection_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/introspect"

    def token(self, form: dict[str, str]) -> tuple[int, object]:
        self.requests.append(form)
        if self.broken:
            return 500, self.broken
        if form.get("grant_type") != "refresh_token":
            return 400, {"error": "unsupported_grant_type"}
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return 401, {"error": "invalid_client", "error_description": "Unknown client."}
        if form.get("refresh_token") not in self.refresh_tokens:
            return 400, {
                "error": "invalid_grant",
                "error_description": "Token has been expired or revoked.",
            }
        access = "at-" + secrets.token_hex(8)
        self.access_tokens.add(access)
        answer: dict[str, object] = {"access_token": access, "token_type": "Bearer"}
        if self.expires_in is not None:
            answer["expires_in"] = self.expires_in
        if self.rotate:
            self.refresh_tokens.discard(form["refresh_token"])
            fresh = "rt-" + secrets.token_hex(8)
            self.refresh_tokens.add(fresh)
            answer["refresh_token"] = fresh
        return 200, answer

    def introspect(self, form: dict[str, str]) -> tuple[int, object]:
        self.introspections += 1
        if form.get("token") in self.access_tokens:
            return 200, {"active": True, "username": USER}
        return 200, {"active": False}


@contextmanager
def oauth_provider() -> Iterator[Provider]:
    provider = Provider()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            length = int(self.headers.get("Content-Length") or 0)
            pairs = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
            form = {k: v[0] for k, v in pairs.items()}
            if self.path == "/token":
                status, body = provider.token(form)
            elif self.path == "/introspect":
                status, body = provider.introspect(form)
            else:
                status, body = 404, {"error": "not_found"}
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            self.send_response(status)
            kind = "text/html" if isinstance(body, str) else "application/json"
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # quiet test output

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    provider.port = int(server.server_address[1])
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        server.shutdown()
        server.server_close()
