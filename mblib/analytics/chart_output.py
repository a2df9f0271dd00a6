"""Offline chart output: the Vega bundle, chart specs, pages with a strict CSP, SVG/PNG/HTML files,
and the notebook renderer. Re-exported by :mod:`mblib.analytics.charts` (which draws the charts).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import MblibError, MissingDependencyError

if TYPE_CHECKING:  # pragma: no cover
    pass

#: The Vega-Lite media type of altair 6 charts (what the report exporter embeds).
VEGALITE_MIME = "application/vnd.vegalite.v6+json"
#: The Vega-Lite 5 media type: the one JupyterLab 4 renders offline with its own bundled Vega.
VEGALITE5_MIME = "application/vnd.vegalite.v5+json"

#: vegaEmbed options: CSP-safe (``ast`` uses the expression interpreter, no ``eval``), no
#: injected ``<style>`` (our page carries the styles), no export menu.
EMBED_OPTIONS: dict[str, Any] = {
    "renderer": "svg",
    "ast": True,
    "defaultStyle": False,
    "actions": False,
    "tooltip": {"disableDefaultStyle": True},
    "logLevel": 1,
}

#: Runs after the bundle: embeds every ``<script type="application/json" data-mb-chart>``
#: into the element before it and marks it ``data-rendered="true"`` (or "error").
EMBED_JS = """(function () {
  var opts = %s;
  document.querySelectorAll('script[type="application/json"][data-mb-chart]').forEach(function (el) {
    var target = el.previousElementSibling;
    vegaEmbed(target, JSON.parse(el.textContent), opts).then(function () {
      target.setAttribute('data-rendered', 'true');
    }).catch(function (err) {
      target.setAttribute('data-rendered', 'error');
      console.error('chart ' + el.getAttribute('data-mb-chart') + ': ' + err);
    });
  });
})();""" % json.dumps(EMBED_OPTIONS, sort_keys=True)  # noqa: UP031 (the JS braces stay literal)

#: Styles for embedded charts and vega-tooltip (its own style injection is turned off).
CHART_CSS = """
.mb-chart { margin: 1.5rem 0; max-width: 100%; overflow-x: auto; }
.mb-chart figcaption { font-family: var(--jp-content-font-family, system-ui, sans-serif); font-size: 0.9rem;
  color: #333; margin-top: 0.25rem; }
#vg-tooltip-element { visibility: hidden; padding: 8px; position: fixed; z-index: 1000;
  font-family: sans-serif; font-size: 12px; border-radius: 3px; box-shadow: 2px 2px 4px rgba(0,0,0,.1);
  background-color: rgba(255,255,255,.95); border: 1px solid #d9d9d9; color: #000; pointer-events: none; }
#vg-tooltip-element.visible { visibility: visible; }
#vg-tooltip-element table tr td.key { color: #595959; text-align: right; padding-right: 4px; }
#vg-tooltip-element table tr td.value { text-align: left; }
"""


class ChartError(MblibError):
    """A chart got a frame it cannot draw, or could not be saved."""

    __module__ = "mblib.analytics.charts"  # where it is documented and imported from


def alt_module() -> Any:
    """The ``altair`` module, or :class:`~mblib.errors.MissingDependencyError` naming the extra to install."""
    try:
        import altair as alt
    except ModuleNotFoundError as e:  # pragma: no cover - the analytics extra is missing
        raise MissingDependencyError.for_extra("altair", "analytics", "drawing charts") from e
    return alt


def vegalite_version() -> str:
    """The Vega-Lite version altair targets, as vl-convert wants it (``"6.4"`` for ``"v6.4.1"``)."""
    alt = alt_module()
    return ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])


@lru_cache(maxsize=2)
def vega_bundle(vl_version: str | None = None) -> str:
    """vegaEmbed + Vega-Lite + Vega as one script (about 0.9 MB).

    Building it takes vl-convert a few seconds, so it is cached per process and on disk
    (``$XDG_CACHE_HOME/mblib``, default ``~/.cache/mblib``), keyed by the vl-convert and
    Vega-Lite versions.
    """
    import os

    try:
        import vl_convert as vlc
    except ModuleNotFoundError as e:  # pragma: no cover
        raise MissingDependencyError.for_extra("vl-convert-python", "analytics", "offline charts") from e
    version = vl_version or vegalite_version()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "mblib"
    path = cache / f"vega-bundle-vlc{getattr(vlc, '__version__', 'x')}-vl{version}.js"
    try:
        text = path.read_text(encoding="utf-8")
        if text.rstrip().endswith(";") and "window.vegaEmbed=" in text:
            return text
    except OSError:
        pass
    # vl-convert's stub marks ``snippet`` required; at run time it is optional (default: the globals)
    text = vlc.javascript_bundle(vl_version=version)  # type: ignore[call-arg]
    try:
        from ..content.yamlio import atomic_write

        atomic_write(path, text.encode("utf-8"))
    except OSError:  # a read-only home: build it each time
        pass
    return text


def chart_spec(chart: Any, *, validate: bool = True) -> dict[str, Any]:
    """The chart's Vega-Lite spec with its data inlined (what :data:`EMBED_JS` renders); a dict passes through.

    ``validate=False`` skips altair's check against the Vega-Lite schema (2-9 ms a chart): for
    charts the package draws, whose functions the tests validate on every metric's frame.
    """
    from .labels import label_spec

    if isinstance(chart, dict):
        return label_spec(chart)
    try:
        return label_spec(chart.to_dict(validate=validate))
    except Exception as e:  # altair's schema errors are already worded for people
        raise ChartError(f"the chart is not a valid Vega-Lite spec: {e}", hint="check the chart's encodings") from e


def script_json(data: Any) -> str:
    """JSON safe to put inside ``<script type="application/json">`` (no ``</script>`` or ``<!--``).

    >>> script_json({"a": "</script><!--"})
    '{"a": "\\\\u003c/script\\\\u003e\\\\u003c!--"}'
    """
    return json.dumps(data, sort_keys=True).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chart_figure_html(chart: Any, key: str, *, caption: str | None = None) -> str:
    """One chart as ``<figure>``: a target element plus its spec, for :data:`EMBED_JS` to render.

    ``caption`` defaults to the chart's description. Text is escaped.
    """
    from markupsafe import escape

    spec = chart_spec(chart)
    text = caption if caption is not None else spec.get("description", "")
    cap = f"<figcaption>{escape(text)}</figcaption>" if text else ""
    return (
        f'<figure class="mb-chart"><div class="mb-chart-view"></div>'
        f'<script type="application/json" data-mb-chart="{escape(key)}">{script_json(spec)}</script>{cap}</figure>'
    )


def charts_page(charts: Sequence[Any] | dict[str, Any], *, title: str = "Charts", lang: str = "en") -> str:
    """A standalone offline HTML page with interactive charts (bundle inlined once, strict CSP).

    ``charts`` is a list of charts or a mapping ``key -> chart``.
    """
    from markupsafe import escape

    from ..render.page import content_security_policy

    items = charts.items() if isinstance(charts, dict) else ((f"chart-{i + 1}", c) for i, c in enumerate(charts))
    figures = "\n".join(chart_figure_html(c, k) for k, c in items)
    bundle = vega_bundle()
    css = "body { font-family: system-ui, sans-serif; margin: 2rem; color: #111; }\n" + CHART_CSS
    csp = content_security_policy([bundle, EMBED_JS], [css])
    return (
        f'<!doctype html>\n<html lang="{escape(lang)}"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{escape(title)}</title><link rel="icon" href="data:,"><style>{css}</style>'
        f"<script>{bundle}</script></head>\n<body><main><h1>{escape(title)}</h1>\n{figures}\n</main>"
        f"<script>{EMBED_JS}</script></body></html>\n"
    )


def chart_svg(chart: Any) -> str:
    """The chart as SVG text (vl-convert, offline)."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(chart_spec(chart), vl_version=vegalite_version())


def chart_png(chart: Any, *, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes (vl-convert, offline)."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(chart_spec(chart), vl_version=vegalite_version(), scale=scale)


def save_chart(chart: Any, path: str | Path, *, scale: float = 2.0) -> Path:
    """Save a chart by the file's suffix: ``.html`` (offline, interactive), ``.png``, ``.svg`` or ``.json``.

    The file is written atomically; the folder is created.
    """
    from ..content.yamlio import atomic_write

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".html":
        spec = chart_spec(chart)
        title = spec.get("title") if isinstance(spec.get("title"), str) else path.stem
        data = charts_page({path.stem: chart}, title=title or path.stem).encode("utf-8")
    elif suffix == ".svg":
        data = chart_svg(chart).encode("utf-8")
    elif suffix == ".png":
        data = chart_png(chart, scale=scale)
    elif suffix == ".json":
        data = json.dumps(chart_spec(chart), indent=2, sort_keys=True).encode("utf-8")
    else:
        raise ChartError(
            f"cannot save a chart as '{path.name}': unknown format '{suffix or '(none)'}'",
            hint="use a name ending in .html, .png, .svg or .json",
        )
    atomic_write(path, data)
    return path


# --------------------------------------------------------------------------------------------
# notebooks
# --------------------------------------------------------------------------------------------


def chart_bundle(chart: Any, *, svg: bool = True, validate: bool = True) -> tuple[dict[str, Any], dict[str, Any]]:
    """What a notebook displays for ``chart`` (an altair chart or its spec): the labelled Vega-Lite
    spec, which JupyterLab draws itself (offline, interactive), and with ``svg`` an SVG image for
    viewers that cannot run Vega (nbconvert without scripts, file previews). ``(data, metadata)``
    for ``IPython.display.display(data, metadata=metadata, raw=True)``.

    Drawing the SVG takes vl-convert 40-80 ms; a live view (the dashboard) leaves it out.
    ``validate``: see :func:`chart_spec`.

    >>> data, meta = chart_bundle({"mark": "bar", "title": "Learners"}, svg=False)
    >>> sorted(data)
    ['application/vnd.vegalite.v5+json', 'application/vnd.vegalite.v6+json', 'text/plain']
    >>> data["text/plain"]
    '<chart: Learners>'
    """
    spec = chart_spec(chart, validate=validate)
    title = spec.get("title")
    text = title if isinstance(title, str) else (title or {}).get("text", "chart")
    # JupyterLab 4 renders Vega-Lite 5 specs itself (bundled, offline, with tooltips); it has no v6
    # renderer, so the spec goes under both types (the v6 one for the report exporter)
    v5 = {**spec, "$schema": "https://vega.github.io/schema/vega-lite/v5.json"}
    bundle = {VEGALITE_MIME: spec, VEGALITE5_MIME: v5, "text/plain": f"<chart: {text}>"}
    if svg:
        import vl_convert as vlc

        bundle["image/svg+xml"] = vlc.vegalite_to_svg(spec, vl_version=vegalite_version())
    embed = {"embed_options": {"renderer": "svg", "actions": False}}  # JupyterLab's renderer reads these
    return bundle, {VEGALITE5_MIME: embed, VEGALITE_MIME: embed}


def _mblib_renderer(spec: dict[str, Any], **metadata: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    return chart_bundle(spec)


def enable_notebook_charts() -> None:
    """Make altair charts in a notebook display offline: the Vega-Lite spec plus an SVG fallback.

    JupyterLab renders the spec (interactive, tooltips, with the Vega it bundles) or the SVG;
    ``mb report`` embeds the spec with vegaEmbed in the exported page. Nothing is loaded from a
    CDN. Importing :mod:`mblib.analytics.charts` already does this (see :func:`offline_by_default`).
    """
    alt = alt_module()
    if "mblib" not in alt.renderers.names():
        alt.renderers.register("mblib", _mblib_renderer)
    alt.renderers.enable("mblib")


def offline_by_default() -> bool:
    """Enable the offline renderer unless the user chose another one; return whether it is active.

    altair's ``default`` renderer loads Vega from a CDN, which fails without network ("Error
    loading script"); a renderer the user enabled on purpose (``svg``, ``png``...) is kept.
    """
    try:
        alt = alt_module()
    except MissingDependencyError:  # pragma: no cover - no analytics extra: nothing to draw
        return False
    if alt.renderers.active in ("default", "html"):
        enable_notebook_charts()
    return alt.renderers.active == "mblib"


__all__ = [
    "CHART_CSS",
    "ChartError",
    "EMBED_JS",
    "EMBED_OPTIONS",
    "VEGALITE_MIME",
    "VEGALITE5_MIME",
    "alt_module",
    "chart_bundle",
    "chart_figure_html",
    "chart_png",
    "chart_spec",
    "chart_svg",
    "charts_page",
    "enable_notebook_charts",
    "offline_by_default",
    "save_chart",
    "script_json",
    "vega_bundle",
    "vegalite_version",
]
