"""Serves the reader widget: a static file, compressed once, cacheable by any CDN.

The files are the built widget in dist/ (`make widget` builds them from the readable
source in js/; a test keeps the two in step), never the source itself."""

import gzip
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_safe

WIDGET_DIR = Path(__file__).resolve().parent / "dist"
SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*\.(js|css|json)$")
CONTENT_TYPES = {"js": "text/javascript", "css": "text/css", "json": "application/json"}


@lru_cache(maxsize=64)
def _load(name: str) -> tuple[bytes, bytes, str]:
    raw = (WIDGET_DIR / name).read_bytes()
    return raw, gzip.compress(raw, 9, mtime=0), '"' + hashlib.sha256(raw).hexdigest()[:20] + '"'


@require_safe
def serve(request: HttpRequest, name: str) -> HttpResponse:
    if not SAFE_NAME.match(name) or not (WIDGET_DIR / name).is_file():
        raise Http404(name)
    if settings.DEBUG:  # pick up a rebuilt widget without a restart
        _load.cache_clear()
    raw, compressed, etag = _load(name)
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponseNotModified()
    else:
        use_gzip = "gzip" in request.headers.get("Accept-Encoding", "")
        response = HttpResponse(
            compressed if use_gzip else raw, content_type=CONTENT_TYPES[name.rsplit(".", 1)[1]] + "; charset=utf-8"
        )
        if use_gzip:
            response["Content-Encoding"] = "gzip"
    response["ETag"] = etag
    response["Vary"] = "Accept-Encoding"
    # Publishers' pages load the widget from our origin; it is public and carries no secrets.
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    response["Cache-Control"] = "public, max-age=300, stale-while-revalidate=86400"
    return response
