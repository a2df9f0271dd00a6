"""Report HTML export: the nbconvert exporter, the strict Content-Security-Policy, one offline page."""

from __future__ import annotations

import copy
import html as _html
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import MissingDependencyError
from .report_pdf import PRINT_CSS

TEMPLATES = Path(__file__).parent / "templates"


_INLINE = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1>", re.S | re.I)
_STYLE_ATTR = re.compile(r"""<[a-zA-Z][^>]*?\sstyle=(["'])(.*?)\1""", re.S)


def apply_csp(page: str) -> str:
    """Replace ``__MB_CSP__`` with a strict policy allowing exactly the page's inline scripts and styles.

    Data blocks (``<script type="application/json">``) are not scripts and get no hash. Inline
    ``style`` attributes (markdown table alignment) are allowed by hash with ``'unsafe-hashes'``.

    >>> page = apply_csp('<meta content="__MB_CSP__"><style>p{}</style><script>1</script>'
    ...                  '<script type="application/json">{}</script>')
    >>> "default-src 'none'" in page and page.count("'sha256-") == 2
    True
    """
    from ..render.page import content_security_policy

    scripts, styles = [], []
    for m in _INLINE.finditer(page):
        tag, attrs, body = m.group(1).lower(), m.group(2), m.group(3)
        if tag == "script":
            if re.search(r"""type=["']?application/(ld\+)?json""", attrs, re.I):
                continue
            scripts.append(body)
        else:
            styles.append(body)
    # style="..." attributes (markdown table alignment) are allowed one by one, by hash
    attrs = [_html.unescape(m.group(2)) for m in _STYLE_ATTR.finditer(_INLINE.sub("", page))]
    csp = content_security_policy(list(dict.fromkeys(scripts)), list(dict.fromkeys(styles + attrs)))
    if attrs:
        csp = csp.replace("style-src ", "style-src 'unsafe-hashes' ", 1)
    return page.replace("__MB_CSP__", csp, 1)


@lru_cache(maxsize=1)
def exporter_class() -> type:
    """The nbconvert exporter class (``HTMLExporter`` with the ``mbreport`` template); built on first use."""
    try:
        from nbconvert.exporters import HTMLExporter
        from traitlets import default
    except ModuleNotFoundError as e:
        raise MissingDependencyError.for_extra("nbconvert", "analytics", "exporting reports") from e

    from . import charts

    class ReportExporter(HTMLExporter):
        """HTML report: code hidden, charts interactive with vegaEmbed, offline, strict CSP."""

        export_from_notebook = "mblib report"

        @default("extra_template_basedirs")
        def _default_extra_template_basedirs(self) -> list[str]:
            return [str(TEMPLATES), *super()._default_extra_template_basedirs()]

        @default("template_name")
        def _template_name_default(self) -> str:
            return "mbreport"

        @default("exclude_input")
        def _exclude_input_default(self) -> bool:
            return True

        @default("exclude_input_prompt")
        def _exclude_input_prompt_default(self) -> bool:
            return True

        @default("exclude_output_prompt")
        def _exclude_output_prompt_default(self) -> bool:
            return True

        @property
        def default_config(self) -> Any:
            c = super().default_config
            priority = list(c.NbConvertBase.display_data_priority)
            c.NbConvertBase.display_data_priority = [charts.VEGALITE_MIME, *priority]
            return c

        def default_filters(self) -> Any:
            yield from super().default_filters()
            yield ("mb_chart_figure", lambda spec: charts.chart_figure_html(spec, _chart_key(spec)))

        # nbconvert's base Exporter says it returns a notebook; HTML exporters return text (its own
        # TemplateExporter and HTMLExporter ignore the same override error)
        def from_notebook_node(  # type: ignore[override]
            self, nb: Any, resources: dict[str, Any] | None = None, **kw: Any
        ) -> tuple[str, dict[str, Any]]:
            resources = dict(resources or {})
            has_charts = any(
                charts.VEGALITE_MIME in (o.get("data") or {}) for cell in nb.cells for o in cell.get("outputs", [])
            )
            resources["mb_vega_bundle"] = charts.vega_bundle() if has_charts else ""
            resources["mb_embed_js"] = charts.EMBED_JS
            resources["mb_css"] = charts.CHART_CSS + REPORT_CSS + PRINT_CSS
            output, resources = super().from_notebook_node(nb, resources, **kw)
            return apply_csp(output), resources

    return ReportExporter


_keys = iter(range(1, 1 << 62))


def _chart_key(spec: Any) -> str:
    return f"chart-{next(_keys)}"


REPORT_CSS = """
main { max-width: 62rem; margin: 0 auto; }
.jp-RenderedHTMLCommon a:link, .jp-RenderedHTMLCommon a:visited { text-decoration: underline; }
.mb-table { overflow-x: auto; }
.mb-table table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
.mb-table caption { text-align: left; font-weight: 600; padding-bottom: 0.25rem; }
.mb-table th, .mb-table td { border-bottom: 1px solid #ccc; padding: 0.2rem 0.6rem; text-align: left; }
.mb-table tr.mb-suppressed td { color: #595959; font-style: italic; }
.mb-note { font-size: 0.85rem; color: #333; margin-top: 0.25rem; }
"""


def export_html(nb: Any, *, title: str | None = None) -> str:
    """Export an (executed) notebook node to one offline HTML page (see :class:`ReportExporter`)."""
    if title:
        nb = copy.deepcopy(nb)
        nb.metadata["title"] = title
    page, _ = exporter_class()().from_notebook_node(nb)
    return page


__all__ = ["REPORT_CSS", "apply_csp", "export_html", "exporter_class"]
