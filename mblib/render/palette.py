"""One colour scheme for a credential's modules, wherever they are shown: the credential builder,
the pathway chart and the exported site (its CSS is generated from here).

Colours pass WCAG AA (4.5:1) as text on white.

>>> role_kind("required"), role_kind("electives-1"), role_kind("electives-1", missing=True)
('required', 'elective', 'missing')
>>> ".mb-kind--required" in palette_css()
True
"""

from __future__ import annotations

#: Module kind -> colour.
ROLE_COLORS: dict[str, str] = {
    "required": "#1f5fa8",
    "elective": "#9c4a00",
    "optional": "#52606d",
    "missing": "#b00020",
}

#: Module kind -> what a legend or a label says.
ROLE_LABELS: dict[str, str] = {
    "required": "required",
    "elective": "elective",
    "optional": "optional",
    "missing": "not in the workspace",
}


def role_kind(role: str, *, missing: bool = False) -> str:
    """The kind of a pathway node's ``role`` ("required", or an elective group's id)."""
    if missing:
        return "missing"
    if role in ("required", "optional"):
        return role
    return "elective"


def palette_css() -> str:
    """CSS classes ``mb-kind--KIND`` (text colour and a left bar) for pages and widgets."""
    return "\n".join(
        f".mb-kind--{kind} {{ color: {color}; border-left: 4px solid {color}; padding-left: .4em; }}"
        for kind, color in ROLE_COLORS.items()
    )


__all__ = ["ROLE_COLORS", "ROLE_LABELS", "palette_css", "role_kind"]
