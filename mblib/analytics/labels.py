"""One labels table: metric columns -> the words a reader uses (chart axes, legends, tooltips, table headers).

Every chart spec passes through :func:`label_spec` (the report exporter, the notebook renderer and
the dashboard all go through :func:`mblib.analytics.chart_output.chart_spec` or the renderer), and
every report table through :mod:`mblib.analytics.table_style`; both take their text from
:data:`LABELS`. A column missing from the table still reads as words (:func:`label`).

>>> label("earn_rate")
'Earn rate'
>>> label("completion_low")
'Completion, lower 95% bound'
>>> label("some_new_column")
'Some new column'
>>> spec = {"mark": "bar", "encoding": {"x": {"field": "earn_rate", "type": "quantitative"}}}
>>> label_spec(spec)["encoding"]["x"]["title"]
'Earn rate'
"""

from __future__ import annotations

import re
from typing import Any

#: metric column -> human text (sentence case, no unit abbreviations a manager would not know)
LABELS: dict[str, str] = {
    "active": "Active learners",
    "active_learners": "Active learners",
    "at_risk": "Learners at risk",
    "attempts": "Attempts",
    "block_id": "Block",
    "censored": "Still in progress",
    "choice_id": "Choice",
    "chosen": "Chosen by",
    "ci_high": "Upper 95% bound",
    "ci_low": "Lower 95% bound",
    "cohort_size": "Cohort size",
    "cohort_week": "Cohort (week of first activity)",
    "completed": "Completed",
    "completion_high": "Completion, upper 95% bound",
    "completion_low": "Completion, lower 95% bound",
    "completion_rate": "Completion rate",
    "correct": "Correct choice",
    "credential_id": "Credential",
    "credentials_held": "Credentials held",
    "cronbach_alpha": "Reliability (Cronbach's alpha)",
    "cumulative_earned": "Earned (running total)",
    "cumulative_enrolled": "Enrolled (running total)",
    "days_from": "Inactive from (days)",
    "days_to": "Inactive to (days)",
    "discrimination_index": "Discrimination index",
    "discriminative_efficiency": "Discriminative efficiency",
    "dropoff_rate": "Stopped here",
    "earn_high": "Earn rate, upper 95% bound",
    "earn_low": "Earn rate, lower 95% bound",
    "earn_rate": "Earn rate",
    "earned": "Earned",
    "effective_weight": "Effective weight",
    "enrolled": "Enrolled",
    "error_ratio": "Error ratio",
    "estimated_s": "Estimated time (s)",
    "estimate": "Estimated time (min)",
    "events": "Credentials earned",
    "facility": "Facility (share correct)",
    "intended_weight": "Intended weight",
    "items": "Items",
    "language": "Language",
    "learners": "Learners",
    "max_score": "Maximum score",
    "max_total": "Maximum total",
    "mean": "Mean",
    "mean_s": "Mean time (s)",
    "measure": "Measure",
    "median": "Median",
    "median_days": "Median days to credential",
    "median_high": "Median, upper 95% bound",
    "median_low": "Median, lower 95% bound",
    "median_ratio": "Median / estimate",
    "median_s": "Median time (s)",
    "module_id": "Module",
    "p25_s": "25th percentile (s)",
    "p75_s": "75th percentile (s)",
    "p90_s": "90th percentile (s)",
    "p25": "25th percentile (min)",
    "p75": "75th percentile (min)",
    "p90": "90th percentile (min)",
    "pass_high": "Pass rate, upper 95% bound",
    "pass_low": "Pass rate, lower 95% bound",
    "pass_rate": "Pass rate",
    "passed": "Passed",
    "point_biserial": "Point-biserial correlation",
    "position": "Position",
    "choice_position": "Choice order",
    "rate": "Share",
    "reached": "Reached",
    "reached_share": "Reached (share)",
    "retention": "Retention",
    "sd": "Standard deviation",
    "segment": "Segment",
    "share": "Share",
    "standard_error": "Standard error",
    "start_rate": "Start rate",
    "started": "Started",
    "step": "Step",
    "stopped": "Stopped here",
    "survival": "Not yet earned",
    "time_days": "Days since enrolment",
    "week": "Weeks since first activity",
    "week_start": "Week starting",
    "org_unit": "Organisation unit",
    "role": "Role",
    "suppressed": "Hidden",
}

#: the part of a column a table spans: ``completion_rate``/``_low``/``_high`` -> "Completion"
RATE_GROUPS: dict[str, str] = {
    "start": "Started",
    "completion": "Completed",
    "earn": "Earned",
    "pass": "Passed",
}

_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def label(column: str) -> str:
    """The human text for a metric column; an unknown one reads as words (``a_b`` -> ``"A b"``)."""
    if column in LABELS:
        return LABELS[column]
    words = column.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def has_snake_case(text: str) -> bool:
    """Whether ``text`` shows a raw column name (``snake_case``).

    >>> has_snake_case("Earn rate"), has_snake_case("earn_rate by segment")
    (False, True)
    """
    return bool(_SNAKE.search(text))


_CHANNELS_WITH_TITLE = (
    "x",
    "y",
    "color",
    "fill",
    "stroke",
    "shape",
    "size",
    "opacity",
    "strokeDash",
    "row",
    "column",
    "facet",
    "xOffset",
    "yOffset",
    "theta",
)


def _field_name(enc: dict[str, Any]) -> str | None:
    field = enc.get("field")
    if isinstance(field, str):
        return field
    if isinstance(field, dict) and isinstance(field.get("field"), str):  # repeat refs etc.
        return str(field["field"])
    return None


def _label_encoding(enc: dict[str, Any], titled: set[str] | None = None) -> None:
    """Fill in titles; a channel in ``titled`` (already titled by an earlier layer) is left alone,
    so that Vega-Lite keeps that layer's title instead of joining both ("Rate, Low, High")."""
    for channel, value in list(enc.items()):
        if titled is not None and channel in titled:
            continue
        items = value if isinstance(value, list) else [value]
        for item in items:
            if not isinstance(item, dict):
                continue
            name = _field_name(item)
            if name is not None and "title" not in item and (channel in _CHANNELS_WITH_TITLE or channel == "tooltip"):
                item["title"] = label(name)
            if "condition" in item and isinstance(item["condition"], dict):
                cond = item["condition"]
                name = _field_name(cond)
                if name is not None and "title" not in cond:
                    cond["title"] = label(name)


_SHARED = ("x", "y", "theta", "radius")  # axes that layers share (their titles would be joined)


def _walk(node: Any, titled: set[str] | None = None) -> None:
    if isinstance(node, dict):
        enc = node.get("encoding")
        if isinstance(enc, dict):
            _label_encoding(enc, titled)
            if titled is not None:
                titled.update(c for c in _SHARED if c in enc)
        facet = node.get("facet")
        if isinstance(facet, dict):
            if _field_name(facet) is not None:
                _label_encoding({"facet": facet})
            else:
                _label_encoding(facet)
        shared: set[str] = set()
        for child in node.get("layer", []) or []:
            _walk(child, shared)
        for key in ("hconcat", "vconcat", "concat"):
            for child in node.get(key, []) or []:
                _walk(child)
        if isinstance(node.get("spec"), dict):
            _walk(node["spec"])


def label_spec(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of a Vega-Lite spec whose every encoded field without a title gets one from :data:`LABELS`.

    Axes, legends, facet headers and tooltips then never show a raw column name; a title set
    on purpose (``None`` included, to hide it) is kept. The data (``datasets``, ``data``) is
    shared with ``spec``, not copied: titles never touch it, and a curve's rows made copying
    cost 20-30 ms.

    >>> spec = {"datasets": {"d": [{"learners": 3}]}, "encoding": {"x": {"field": "learners"}}}
    >>> out = label_spec(spec)
    >>> out["encoding"]["x"]["title"], "title" in spec["encoding"]["x"], out["datasets"] is spec["datasets"]
    ('Learners', False, True)
    """
    out = _copy_but_data(spec)
    _walk(out)
    return out


def _copy_but_data(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: (v if k in ("datasets", "data") else _copy_but_data(v)) for k, v in node.items()}
    if isinstance(node, list):
        return [_copy_but_data(v) for v in node]
    return node


#: columns whose values are workspace ids a reader knows by their titles (quiz items and choices by their words)
ID_COLUMNS: tuple[str, ...] = ("module_id", "credential_id", "block_id", "choice_id")
#: per id column, the columns whose ids pin one of its ids down, outermost first (see :func:`mblib.analytics.item_titles.item_key`)
ID_SCOPES: dict[str, tuple[str, ...]] = {"block_id": ("module_id",), "choice_id": ("module_id", "block_id")}


def workspace_titles(workspace: Any) -> dict[str, dict[str, str]]:
    """Per id column (:data:`ID_COLUMNS`): id -> the workspace's title for it.

    Two ids with the same title keep apart (``"Title (id)"``), so a chart never merges them.
    A quiz block reads as ``"Q1 · What is the median of…"`` (its module's first quiz, the question
    as plain text cut to ~60 characters), another block as its kind and first words
    (``"Text · When a few…"``), and a choice as its text (cut to ~40); as block ids are
    unique within a module and choice ids within a block, those two maps are keyed by
    :func:`~mblib.analytics.item_titles.item_key` (``"module/block"``, ``"module/block/choice"``; ``"block"`` and
    ``"block/choice"`` too where the block id is unique in the workspace), see
    :mod:`mblib.analytics.item_titles`.
    """
    from .item_titles import block_titles

    out: dict[str, dict[str, str]] = {}
    for column, things in (
        ("module_id", workspace.modules.values()),
        ("credential_id", workspace.credentials.values()),
    ):
        pairs = [(str(t.id), str(getattr(t, "title", "") or t.id)) for t in things]
        seen = [title for _, title in pairs]
        out[column] = {i: (title if seen.count(title) == 1 else f"{title} ({i})") for i, title in pairs}
    out["block_id"], out["choice_id"] = block_titles(workspace)
    return out


def _titled(column: str, names: dict[str, str], columns: Any) -> Any:
    """``column`` with its ids replaced by their names, keyed by as many scope columns as the frame has."""
    import polars as pl

    from .item_titles import SEPARATOR

    scope = ID_SCOPES.get(column, ())
    inner = [c for c in scope if c in columns]
    if inner != list(scope[len(scope) - len(inner) :]):  # a gap (choices without their block): no key
        inner = []
    if column == "choice_id" and "block_id" not in inner:
        return pl.col(column)  # a choice id means nothing without its block
    if not inner:
        return pl.col(column).replace(names)
    key = pl.concat_str([*(pl.col(c) for c in inner), pl.col(column)], separator=SEPARATOR)
    return key.replace_strict(names, default=pl.col(column), return_dtype=pl.String).alias(column)


def with_titles(frame: Any, titles: dict[str, dict[str, str]] | None) -> Any:
    """A copy of a collected metric ``frame`` to display: ids in its :data:`ID_COLUMNS` replaced by their titles.

    Only what is shown changes: rows, counts and suppression stay as they are, an unknown id
    stays itself, and the metric's own frame (with ids, for joins) is untouched. A block id is
    looked up with the row's module, a choice id with the row's block (and module).

    >>> import polars as pl
    >>> f = pl.DataFrame({"module_id": ["intro-to-data", "other"], "learners": [12, 7]})
    >>> with_titles(f, {"module_id": {"intro-to-data": "Introduction to data"}})["module_id"].to_list()
    ['Introduction to data', 'other']
    >>> f = pl.DataFrame({"block_id": ["q1", "q2"], "choice_id": ["a", "a"]})
    >>> with_titles(f, {"choice_id": {"q1/a": "Yes", "q2/a": "Twice"}})["choice_id"].to_list()
    ['Yes', 'Twice']
    """
    if not titles:
        return frame
    import polars as pl

    swaps = [
        _titled(c, titles[c], frame.columns)
        for c in ID_COLUMNS
        if c in frame.columns and titles.get(c) and frame.schema[c] == pl.String
    ]
    modules = titles.get("module_id")
    if modules and "path" in frame.columns and frame.schema["path"] == pl.String:  # "a > b": orders of modules
        parts = pl.col("path").str.split(" > ").list.eval(pl.element().replace(modules))
        swaps.append(parts.list.join(" > ").alias("path"))
    return frame.with_columns(swaps) if swaps else frame


__all__ = [
    "ID_COLUMNS",
    "ID_SCOPES",
    "LABELS",
    "RATE_GROUPS",
    "has_snake_case",
    "label",
    "label_spec",
    "with_titles",
    "workspace_titles",
]
