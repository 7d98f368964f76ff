"""The interactive API docs at /api/v1/docs, working offline under our strict CSP.

Ninja renders Swagger UI from its bundled files only when "ninja" is an installed app and
otherwise loads it from a CDN, which `script-src 'self'` blocks. Rather than make the
whole site depend on that switch, the docs page here links the files Ninja ships, served
from /api/v1/docs/assets/ by the view below: same origin, no inline script (the settings
travel in a JSON data block that Ninja's own init script reads).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import ninja
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import escape, json_script
from ninja import Router
from ninja.openapi.docs import DocsBase

if TYPE_CHECKING:
    from ninja import NinjaAPI

ASSETS_DIR = Path(ninja.__file__).parent / "static" / "ninja"
ASSETS = {
    "swagger-ui.css": "text/css",
    "swagger-ui-bundle.js": "text/javascript",
    "swagger-ui-init.js": "text/javascript",
    "favicon.png": "image/png",
}

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<link rel="stylesheet" href="{assets}swagger-ui.css">
<link rel="icon" href="{assets}favicon.png">
</head>
<body data-csrf-token="{csrf}" data-api-csrf="true">
{settings}
<div id="swagger-ui"></div>
<script src="{assets}swagger-ui-bundle.js"></script>
<script src="{assets}swagger-ui-init.js"></script>
</body>
</html>
"""


class BundledSwagger(DocsBase):
    """Swagger UI from the files Ninja ships, whether or not "ninja" is installed."""

    settings: dict[str, Any] = {"layout": "BaseLayout", "deepLinking": True}

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        openapi_url = self.get_openapi_url(api, kwargs)
        assets = reverse(f"{api.urls_namespace}:docs_asset", kwargs={"name": "x"})[:-1]
        page = PAGE.format(
            title=escape(api.title),
            assets=escape(assets),
            # Swagger's "Try it out" sends this for signed-in browsers (session auth).
            csrf=escape(get_token(request)),
            settings=json_script({**self.settings, "url": openapi_url}, "swagger-settings"),
        )
        return HttpResponse(page)


router = Router(tags=["docs"])


@router.get(
    "/docs/assets/{name}",
    auth=None,
    include_in_schema=False,
    url_name="docs_asset",
)
def docs_asset(request: HttpRequest, name: str) -> FileResponse:
    if name not in ASSETS:
        raise Http404("no such file")
    response = FileResponse((ASSETS_DIR / name).open("rb"), content_type=ASSETS[name])
    response["Cache-Control"] = "public, max-age=86400"
    return response
