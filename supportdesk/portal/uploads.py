"""Attachments from portal forms: files over the size limit are dropped as they stream
in, so an oversized file never reaches the disk and the rest of the form (the text the
customer typed) still arrives to be shown again with a clear error."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from supportdesk.tickets.services import Upload


class AttachmentLimit(FileUploadHandler):
    """Skips each file past MAX_ATTACHMENT_BYTES, and every file once the files together
    pass the request limit, remembering what it skipped. It must run first, before the
    handlers that store the data."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.skipped: list[str] = []
        self.total = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.total += len(raw_data)
        if (
            start + len(raw_data) > settings.MAX_ATTACHMENT_BYTES
            or self.total > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        ):
            self.skipped.append(self.file_name or "file")
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def limited_uploads(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Put AttachmentLimit in front of the upload handlers. CSRF protection reads the
    POST body, after which handlers cannot change, so it is applied here, after them."""
    protected = csrf_protect(view)

    @csrf_exempt
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if request.method == "POST":
            request.upload_handlers = [AttachmentLimit(request), *request.upload_handlers]
        return protected(request, *args, **kwargs)

    return wrapper


def upload_errors(request: HttpRequest) -> list[str]:
    """What went wrong with the files of this request, in words for the form."""
    skipped = [
        name
        for handler in request.upload_handlers
        if isinstance(handler, AttachmentLimit)
        for name in handler.skipped
    ]
    if not skipped:
        return []
    limit = filesizeformat(settings.MAX_ATTACHMENT_BYTES)
    together = filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return [
        f"{', '.join(skipped)}: too large. Each file may be at most {limit}, and all files "
        f"together {together}. Choose smaller files (or fewer) and send again."
    ]


def uploads_of(request: HttpRequest, field: str = "attachments") -> list[Upload]:
    files: list[UploadedFile] = request.FILES.getlist(field)
    return [
        Upload(
            filename=f.name or "file",
            content_type=f.content_type or "application/octet-stream",
            data=f,  # type: ignore[arg-type]
            size=f.size or 0,
        )
        for f in files
    ]
