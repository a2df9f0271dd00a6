"""A report's HTML page printed to a paginated PDF by headless Chromium (``mb report ... --pdf``).

The page is opened from disk with every request outside it refused, its charts are rendered
(vegaEmbed, SVG: they stay vectors in the PDF), and Chromium's print-to-PDF writes A4 pages with
page numbers; the report's print styles (:data:`PRINT_CSS`, part of the page) repeat table
headers on every page and wrap wide tables to the page width instead of cutting them.

Chromium comes from the system (``/usr/bin/chromium``, or ``$MBLIB_CHROMIUM``), never from
``playwright install``; the Python driver is the ``pdf`` extra (``pip install 'mblib[pdf]'``).
"""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import Location, MissingDependencyError
from .report_errors import ReportError

#: print styles of every report (added to the page's CSS by the exporter)
PRINT_CSS = """
@page { size: A4; margin: 14mm 12mm 16mm 12mm; }
@media print {
  main { max-width: none; }
  thead { display: table-header-group; }
  tfoot { display: table-row-group; }
  tr, figure, .mb-chart, svg { break-inside: avoid; page-break-inside: avoid; }
  h1, h2, h3 { break-after: avoid; page-break-after: avoid; }
  .mb-table, .mb-table > div { overflow: visible !important; }
  .mb-table table { width: 100% !important; table-layout: auto; }
  .mb-table th, .mb-table td { white-space: normal !important; overflow-wrap: break-word; hyphens: manual; }
  .mb-chart { overflow: visible; }
  .mb-chart svg { max-width: 100%; height: auto; }
  a { color: inherit; }
}
"""

CHROMIUM = "/usr/bin/chromium"
_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--disable-background-networking",
]
_RENDERED = """() => Array.from(document.querySelectorAll('.mb-chart-view'))
  .every(el => el.getAttribute('data-rendered'))"""


def chromium_path() -> Path:
    """The Chromium executable (``$MBLIB_CHROMIUM`` or ``/usr/bin/chromium``); :class:`ReportError` when missing."""
    path = Path(os.environ.get("MBLIB_CHROMIUM") or CHROMIUM)
    if not path.exists():
        raise ReportError(
            f"Chromium not found at {path}: it prints the report to PDF",
            location=Location(file=str(path)),
            hint="install it (`apt-get install chromium`, or `make browser`) or set MBLIB_CHROMIUM to its path",
        )
    return path


def _print_pdf(html: Path, timeout_s: float) -> bytes:
    """Open ``html`` offline in headless Chromium, wait for its charts, print it (A4, page numbers)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    exe = chromium_path()
    local = ("file://", "data:", "blob:")
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(exe), args=_ARGS)
            try:
                page = browser.new_page()
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(local) else r.abort())
                page.goto(html.as_uri(), wait_until="load", timeout=timeout_s * 1000)
                page.wait_for_function(_RENDERED, timeout=timeout_s * 1000)
                failed = page.eval_on_selector_all(
                    ".mb-chart-view[data-rendered=error] + script", "els => els.map(e => e.dataset.mbChart)"
                )
                if failed:
                    raise ReportError(
                        f"{len(failed)} chart(s) of {html.name} did not render: {', '.join(failed)}",
                        location=Location(file=str(html)),
                        hint="open the page in a browser and read the console",
                    )
                page.emulate_media(media="print")
                data = page.pdf(
                    format="A4",
                    print_background=True,
                    prefer_css_page_size=True,
                    display_header_footer=True,
                    header_template="<span></span>",
                    footer_template='<div style="font-size:8px;width:100%;text-align:center;">'
                    '<span class="pageNumber"></span> / <span class="totalPages"></span></div>',
                )
            finally:
                browser.close()
    except PlaywrightError as e:
        raise ReportError(
            f"Chromium could not print {html.name}: {str(e).splitlines()[0]}",
            location=Location(file=str(html)),
            hint="check that Chromium starts (`chromium --headless --version`)",
        ) from None
    return data


def _loop_running() -> bool:
    import asyncio

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def report_pdf(html: str | Path, pdf: str | Path | None = None, *, timeout_s: float = 120) -> Path:
    """Print the exported report ``html`` to ``pdf`` (default: beside it, ``.pdf``); return the PDF's path.

    Charts must all render (or report an error) within ``timeout_s``; a chart that fails is
    named in the error. The file is written atomically.
    """
    from ..content.yamlio import atomic_write

    html = Path(html).resolve()
    if not html.is_file():
        raise ReportError(
            f"report page '{html}' does not exist",
            location=Location(file=str(html)),
            hint="run `mb report` first",
        )
    target = Path(pdf) if pdf is not None else html.with_suffix(".pdf")
    try:
        import playwright.sync_api  # noqa: F401
    except ModuleNotFoundError as e:
        raise MissingDependencyError.for_extra("playwright", "pdf", "printing reports to PDF") from e
    chromium_path()
    if _loop_running():  # e.g. inside Jupyter or next to another Playwright: print from a worker thread
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(1) as pool:
            data = pool.submit(_print_pdf, html, timeout_s).result()
    else:
        data = _print_pdf(html, timeout_s)
    atomic_write(target, data)
    return target


__all__ = ["PRINT_CSS", "chromium_path", "report_pdf"]
