"""The import graph of ``mblib/`` runs one way (docs/architecture.md, "Layers").

Read with ``ast`` only: every ``import``/``from ... import`` in every module (``TYPE_CHECKING``
and function-level imports included: they are dependencies of the design too) and every
lazy-export table (``"name": "mblib.x.y"`` strings in a package ``__init__``).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "mblib"

#: Layer of each top-level part of the package; a module imports only layers before its own.
LAYERS: dict[str, int] = {
    "errors": 0,
    "_lazy": 0,
    "kernel": 0,
    "content": 1,
    "render": 2,
    "translate": 3,
    "analytics": 3,
    "export": 4,
    "widgets": 5,
    "cli": 5,
}
#: Parts nothing else may import (the faces over the library).
FACES = {"widgets", "cli"}
MAX_LINES = 400
MAX_TOP_LEVEL_NAMES = 30


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES: dict[str, Path] = {_module_name(p): p for p in sorted(ROOT.rglob("*.py"))}


def _is_package(module: str) -> bool:
    return MODULES[module].name == "__init__.py"


def _resolve(module: str, node: ast.ImportFrom | ast.Import) -> list[tuple[str, str | None]]:
    """(target module, imported name or None) for each name the import statement binds."""
    if isinstance(node, ast.Import):
        return [(alias.name, None) for alias in node.names]
    if node.level:
        base = module.split(".") if _is_package(module) else module.split(".")[:-1]
        base = base[: len(base) - (node.level - 1)]
        target = ".".join(base + ([node.module] if node.module else []))
    else:
        target = node.module or ""
    out = []
    for alias in node.names:
        sub = f"{target}.{alias.name}"
        out.append((sub, None) if sub in MODULES else (target, alias.name))
    return out


def _lazy_targets(tree: ast.Module) -> set[str]:
    """Module paths named as string values of a lazy-export table (``{"Name": "mblib.x.y"}``)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for value in node.values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value in MODULES:
                    found.add(value.value)
    return found


def _graph() -> tuple[dict[str, set[str]], list[str]]:
    edges: dict[str, set[str]] = {m: set() for m in MODULES}
    private: list[str] = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            for target, name in _resolve(module, node):
                if target not in MODULES or target == module:
                    continue
                edges[module].add(target)
                if name and name.startswith("_") and not name.startswith("__"):
                    private.append(f"{module} imports the private name {name} from {target}")
        if path.name == "__init__.py":
            edges[module] |= {t for t in _lazy_targets(tree) if t != module}
    return edges, private


EDGES, PRIVATE = _graph()


def _part(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_part_of_the_package_has_a_layer() -> None:
    parts = {_part(m) for m in MODULES} - {None}
    assert parts <= set(LAYERS), f"give these parts a layer in docs/architecture.md and LAYERS: {parts - set(LAYERS)}"


def test_imports_run_one_way() -> None:
    wrong = []
    for a, targets in EDGES.items():
        pa = _part(a)
        for b in targets:
            pb = _part(b)
            if pb is None:
                wrong.append(f"{a} -> {b} (nothing inside mblib imports the top-level facade)")
            elif pa is None or pa == pb:
                continue
            elif pb in FACES:
                wrong.append(f"{a} -> {b} ({pb} is a face over the library: nothing imports it)")
            elif LAYERS[pb] >= LAYERS[pa]:
                wrong.append(f"{a} -> {b} ({pa} is layer {LAYERS[pa]}, {pb} is layer {LAYERS[pb]})")
    assert not wrong, "imports against the layer order:\n  " + "\n  ".join(sorted(wrong))


def test_no_import_cycles() -> None:
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    cycles: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:  # Tarjan's strongly connected components, iterative enough for ~200 modules
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in EDGES[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                cycles.append(sorted(comp))

    for v in MODULES:
        if v not in index:
            visit(v)
    assert not cycles, "import cycles:\n  " + "\n  ".join(" <-> ".join(c) for c in cycles)


def test_no_private_name_crosses_a_module() -> None:
    assert not PRIVATE, "\n".join(PRIVATE)


def test_no_file_over_400_lines() -> None:
    big = {
        str(p.relative_to(ROOT.parent)): n
        for p in MODULES.values()
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert not big, f"split these by concern (at most {MAX_LINES} lines): {big}"


def test_top_level_api_is_small() -> None:
    import mblib

    assert len(mblib.__all__) <= MAX_TOP_LEVEL_NAMES, (
        f"mblib.__all__ has {len(mblib.__all__)} names; keep at most {MAX_TOP_LEVEL_NAMES} "
        "and leave the rest to the subpackages"
    )
