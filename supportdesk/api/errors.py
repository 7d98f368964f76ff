"""The one place that turns exceptions into API answers: `{"detail": ...}` with a 4xx.

Domain errors from services are 400, PermissionDenied 403, NotFound 404, TooLarge 413;
request-level trouble that Django raises while reading the body (too big, too many
files, broken multipart) gets a 4xx too instead of Django's HTML 400 or a 500.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pydantic
from django.conf import settings
from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, UnreadablePostError
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from supportdesk.lib.errors import DomainError, NotFound, PermissionDenied
from supportdesk.tickets.services import TooLarge

log = logging.getLogger(__name__)

# Ninja types handlers by the exception class they take; ours take any of theirs.
Handler = Callable[[HttpRequest, Any], HttpResponse]


def validation_error(exc: pydantic.ValidationError, source: str) -> ValidationError:
    """A pydantic error on input the view parsed itself, in Ninja's 422 shape."""
    errors: list[dict[str, Any]] = []
    for error in exc.errors(include_url=False):
        item: dict[str, Any] = {k: v for k, v in error.items() if k != "input"}
        item["loc"] = [source, *error["loc"]]
        if "ctx" in item:
            item["ctx"] = {k: str(v) for k, v in item["ctx"].items()}
        errors.append(item)
    return ValidationError(errors)


def install(api: NinjaAPI) -> None:
    """Register the handlers on `api`. Ninja picks the most specific class in the MRO."""

    def answer(status: int, message: Callable[[Exception], str] = str) -> Handler:
        def handler(request: HttpRequest, exc: Exception) -> HttpResponse:
            return api.create_response(request, {"detail": message(exc)}, status=status)

        return handler

    api.add_exception_handler(DomainError, answer(400))
    api.add_exception_handler(PermissionDenied, answer(403))
    api.add_exception_handler(NotFound, answer(404))
    api.add_exception_handler(TooLarge, answer(413))
    api.add_exception_handler(
        RequestDataTooBig,
        answer(413, lambda e: f"the request body is over {_request_cap():,} bytes"),
    )
    api.add_exception_handler(
        TooManyFilesSent, answer(413, lambda e: "the request holds too many files")
    )
    api.add_exception_handler(
        TooManyFieldsSent, answer(413, lambda e: "the request holds too many fields")
    )
    api.add_exception_handler(
        MultiPartParserError, answer(400, lambda e: f"the multipart body is malformed: {e}")
    )
    api.add_exception_handler(
        UnreadablePostError, answer(400, lambda e: "the request body could not be read")
    )
    api.add_exception_handler(BadRequest, answer(400))
    api.add_exception_handler(
        SuspiciousOperation, answer(400, lambda e: "the request was refused as malformed")
    )
    api.add_exception_handler(HttpError, _http_error(api))
    api.add_exception_handler(Throttled, _throttled(api))
    api.add_exception_handler(AuthenticationError, _unauthenticated(api))
    api.add_exception_handler(ValidationError, _invalid(api))


def _request_cap() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0)


def _jsonable(value: Any) -> Any:
    """Pydantic puts arbitrary objects in an error's `ctx`; the answer must be JSON."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _http_error(api: NinjaAPI) -> Handler:
    def handler(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = str(exc)
        if message.startswith("Cannot parse request body"):  # Ninja's words for bad JSON
            message = "the request body is not valid JSON"
        return api.create_response(request, {"detail": message}, status=exc.status_code)

    return handler


def _throttled(api: NinjaAPI) -> Handler:
    def handler(request: HttpRequest, exc: Exception) -> HttpResponse:
        wait = getattr(exc, "wait", None) or 60
        response = api.create_response(
            request,
            {"detail": f"too many failed attempts; try again in {int(wait)} seconds"},
            status=429,
        )
        response["Retry-After"] = str(int(wait))
        return response

    return handler


def _unauthenticated(api: NinjaAPI) -> Handler:
    def handler(request: HttpRequest, exc: Exception) -> HttpResponse:
        message = str(exc)
        if message == "Unauthorized":  # Ninja's default when no method matched
            message = "authentication required: send 'Authorization: Bearer <token>'"
        response = api.create_response(request, {"detail": message}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="supportdesk"'
        return response

    return handler


def _invalid(api: NinjaAPI) -> Handler:
    def handler(request: HttpRequest, exc: Exception) -> HttpResponse:
        errors = exc.errors if isinstance(exc, ValidationError) else [{"msg": str(exc)}]
        return api.create_response(request, {"detail": _jsonable(errors)}, status=422)

    return handler
