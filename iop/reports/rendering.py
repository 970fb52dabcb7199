"""HTML → PDF with WeasyPrint, fetching nothing but our own static files.

Documents are rendered from Django templates (autoescaped: text typed by a
user can never become markup) with a base URL on a reserved ``.invalid``
host. :class:`StaticOnlyFetcher` serves a URL only when it is a file under
``STATIC_URL`` found by Django's static-file finders (or in ``STATIC_ROOT``)
or an embedded ``data:`` URI; everything else – ``file://``, other hosts,
other schemes – is refused and logged, and no network connection is ever
opened.
"""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import logging
import mimetypes
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib import request as urllib_request
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from iop.limits import PDF_WEB_MAX_CHARS, check_render_size

logger = logging.getLogger(__name__)
# WeasyPrint reports every step at INFO; only its warnings are of interest here.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

PDF_BASE_URL = "https://pdf.invalid/"
ARCHIVE_VARIANT = "pdf/a-3b"  # PDF/A-3b, tagged for accessibility as well (pdf_tags)


_ARCHIVAL: contextvars.ContextVar[bool] = contextvars.ContextVar("pdf_archival", default=False)


@contextlib.contextmanager
def archival() -> Iterator[None]:
    """Within this block every PDF is made as PDF/A (:data:`ARCHIVE_VARIANT`),
    whichever document renders it: the archive export (arkivlova) uses the
    documents' own renderers."""
    token = _ARCHIVAL.set(True)
    try:
        yield
    finally:
        _ARCHIVAL.reset(token)


class FetchRefused(ValueError):
    """A URL the PDF renderer may not fetch."""


def _static_prefix() -> str:
    return PDF_BASE_URL.rstrip("/") + "/" + settings.STATIC_URL.strip("/") + "/"


def _static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)]
    roots += [Path(d if isinstance(d, str | Path) else d[1]) for d in settings.STATICFILES_DIRS]
    from django.apps import apps

    roots += [Path(app.path) / "static" for app in apps.get_app_configs()]
    return [r.resolve() for r in roots]


def static_path(url: str) -> Path | None:
    """The local file of a static URL on our PDF base, or None."""
    prefix = _static_prefix()
    if not url.startswith(prefix):
        return None
    relative = unquote(urlsplit(url[len(prefix) :]).path)
    if not relative or "\x00" in relative or "\\" in relative:
        return None
    normal = posixpath.normpath(relative)
    if normal.startswith(("/", "..")) or normal != relative:
        return None
    found: str | None = None
    if staticfiles_storage.exists(normal):
        try:
            found = staticfiles_storage.path(normal)
        except NotImplementedError:  # pragma: no cover - remote storages
            found = None
    if found is None:
        located = finders.find(normal)
        found = located if isinstance(located, str) else None
    if found is None:
        return None
    path = Path(found).resolve()
    if not path.is_file() or not any(path.is_relative_to(root) for root in _static_roots()):
        return None
    return path


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint URL fetcher: our static files and ``data:`` URIs only."""

    def __init__(self) -> None:
        super().__init__(timeout=1, allowed_protocols=("https", "data"), allow_redirects=False)
        self.served: list[str] = []
        self.refused: list[str] = []

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            response = urllib_request.DataHandler().data_open(urllib_request.Request(url))  # noqa: S310 - data: only
            self.served.append("data:")
            return URLFetcherResponse(
                url, response.read(), {"Content-Type": response.headers.get("Content-Type", "text/plain")}
            )
        path = static_path(url)
        if path is None:
            self.refused.append(url)
            logger.warning("PDF rendering refused to fetch %r", url[:200])
            raise FetchRefused(f"Not a static file: {url[:200]}")
        self.served.append(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    def open(self, url: Any, data: Any = None, timeout: Any = None) -> URLFetcherResponse:
        # WeasyPrint may call open() with a Request; never let urllib handle it.
        return self.fetch(url.full_url if isinstance(url, urllib_request.Request) else url)


@dataclass
class Rendered:
    pdf: bytes
    html: str
    fetcher: StaticOnlyFetcher = field(repr=False)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.pdf).hexdigest()


def render_html(template: str, context: dict[str, Any], language: str) -> str:
    with translation.override(language or settings.LANGUAGE_CODE):
        return render_to_string(template, {**context, "LANGUAGE_CODE": language})


def html_to_pdf(
    html: str, *, archive: bool = False, identifier: str = "", fetcher: StaticOnlyFetcher | None = None
) -> tuple[bytes, StaticOnlyFetcher]:
    """Render finished HTML to PDF bytes. ARCHIVE gives PDF/A-3b (tagged);
    IDENTIFIER (e.g. the report's id) makes the PDF's /ID stable."""
    fetcher = fetcher or StaticOnlyFetcher()
    options: dict[str, Any] = {"pdf_tags": True}
    if archive or _ARCHIVAL.get():
        options["pdf_variant"] = ARCHIVE_VARIANT
    if identifier:
        options["pdf_identifier"] = hashlib.sha256(identifier.encode()).hexdigest()[:32].encode()
    document = HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=fetcher)
    pdf = document.write_pdf(**options)
    if pdf is None:  # pragma: no cover - write_pdf returns bytes without a target
        raise RuntimeError("WeasyPrint returned no PDF")
    return pdf, fetcher


def render_pdf(
    template: str,
    context: dict[str, Any],
    *,
    language: str,
    archive: bool = False,
    identifier: str = "",
    fetcher: StaticOnlyFetcher | None = None,
    max_chars: int | None = PDF_WEB_MAX_CHARS,
) -> Rendered:
    """Render TEMPLATE with CONTEXT in LANGUAGE to PDF.

    Raises :class:`iop.limits.TooLargeToRender` before WeasyPrint starts when
    the HTML exceeds MAX_CHARS characters (default: the web cap; ``None`` on
    workers, which run under Celery's time limit).
    """
    html = render_html(template, context, language)
    check_render_size(len(html), max_chars)
    pdf, used = html_to_pdf(html, archive=archive, identifier=identifier, fetcher=fetcher)
    return Rendered(pdf=pdf, html=html, fetcher=used)
