"""Module <-> lesson notebook, and executing a lesson's code blocks.

A lesson notebook (nbformat 4) has one cell per block, in order. Every cell
carries the block in its metadata (``cell.metadata.mblib = {"id", "type",
"data"}``); the module's own fields are in ``nb.metadata.mblib.module``.
Code blocks are real code cells and text blocks are Markdown cells whose
source *is* the block's body, so edits to them in Jupyter are kept when the
notebook is turned back into a module; every other block shows a readable
Markdown preview and is rebuilt from its metadata.

>>> from mblib.content import Module
>>> m = Module(id="m", title="M", blocks=[{"id": "t", "type": "text", "body": "Hi"},
...     {"id": "c", "type": "code", "source": "print(1 + 1)"}])
>>> nb = module_to_notebook(m)
>>> [(c.cell_type, c.metadata["mblib"]["id"]) for c in nb.cells]
[('markdown', 't'), ('code', 'c')]
>>> nb.cells[1].outputs = [{"output_type": "stream", "name": "stdout", "text": "2\\n"}]
>>> notebook_to_module(nb).block("c").outputs[0].data
'2\\n'
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Location
from .errors import CodeBlockError, ExportError

if TYPE_CHECKING:  # pragma: no cover
    from ..content.module import Module

NOTEBOOK_FORMAT = 1  # version of the mblib metadata layout inside lesson notebooks
OUTPUT_MIMES = ("image/svg+xml", "image/png", "image/jpeg", "text/html", "text/plain")


def _nbformat() -> Any:
    try:
        import nbformat
    except ModuleNotFoundError:  # pragma: no cover - part of the export extra
        from ..errors import MissingDependencyError

        raise MissingDependencyError.for_extra("nbformat", "export", "Lesson notebooks") from None
    return nbformat


def _preview(block: Any) -> str:
    """A readable Markdown view of a block for people who open the notebook in Jupyter."""
    t = block.type
    if t == "image":
        return f"![{block.alt}]({block.src})" + (f"\n\n*{block.caption}*" if block.caption else "")
    if t == "video":
        return f"**Video: {block.title}** (`{block.src}`, {block.duration_s:.0f} s)"
    if t == "callout":
        head = f"**{block.variant.capitalize()}{': ' + block.title if block.title else ''}**"
        return "\n".join("> " + line for line in [head, "", *block.body.splitlines()])
    if t == "quiz":
        marks = "\n".join(f"- [{'x' if c.correct else ' '}] {c.text}" for c in block.choices)
        return f"**Question:** {block.question}\n\n{marks}"
    if t == "flashcards":
        rows = "\n".join(f"| {c.front} | {c.back} |" for c in block.cards)
        return (f"**{block.title}**\n\n" if block.title else "") + f"| front | back |\n|---|---|\n{rows}"
    if t == "accordion":
        panels = "\n\n".join(f"**{p.title}**\n\n{p.body}" for p in block.items)
        return (f"### {block.title}\n\n" if block.title else "") + panels
    if t == "checklist":
        items = "\n".join(f"- [ ] {i.text}" for i in block.items)
        return (f"**{block.title}**\n\n" if block.title else "") + items
    return f"*({block.type} block '{block.id}')*"


def module_to_notebook(module: Module, *, workspace: str | Path | None = None) -> Any:
    """The lesson notebook of a module (code blocks become code cells, outputs left empty).

    ``workspace`` (a folder) is recorded so the exporter can embed the module's media.
    """
    nbf = _nbformat()
    data = module.model_dump(mode="json")
    blocks = data.pop("blocks")
    cells = []
    for block, raw in zip(module.blocks, blocks):
        meta = {"mblib": {"id": block.id, "type": block.type, "data": raw}}
        if block.type == "code":
            cell = nbf.v4.new_code_cell(block.source, metadata=meta)
            cell.outputs = [_nb_output(nbf, o) for o in block.outputs]
            meta["mblib"]["data"].pop("outputs", None)
        elif block.type == "text":
            cell = nbf.v4.new_markdown_cell(block.body, metadata=meta)
        else:
            cell = nbf.v4.new_markdown_cell(_preview(block), metadata=meta)
        cell.id = _cell_id(block.id)
        cells.append(cell)
    nb = nbf.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["mblib"] = {"format": NOTEBOOK_FORMAT, "module": data}
    if workspace is not None:
        nb.metadata["mblib"]["workspace"] = str(Path(workspace).resolve())
    nb.metadata["title"] = module.title
    return nb


def _nb_output(nbf: Any, output: Any) -> Any:
    if output.mime == "text/plain":
        return nbf.v4.new_output("stream", name="stdout", text=output.data)
    return nbf.v4.new_output("display_data", data={output.mime: output.data})


def _cell_id(block_id: str) -> str:
    # nbformat cell ids: 1-64 chars of [a-zA-Z0-9-_]; block ids may hold '.'
    return block_id.replace(".", "-")[:64]


def notebook_to_module(nb: Any) -> Module:
    """Rebuild the module from a lesson notebook; code cell outputs become ``CodeBlock.outputs``."""
    from pydantic import ValidationError

    from ..content.module import Module

    meta = nb.get("metadata", {}).get("mblib")
    if not isinstance(meta, dict) or "module" not in meta:
        raise ExportError(
            "this notebook is not an mblib lesson: it has no 'mblib' metadata",
            hint="create lesson notebooks with mblib.export.module_to_notebook or `mb export lesson`",
        )
    data = dict(meta["module"])
    module_id = data.get("id")
    blocks = []
    for cell in nb.cells:
        cm = cell.get("metadata", {}).get("mblib")
        if not cm:
            continue  # a cell someone added by hand: not part of the lesson
        block = dict(cm["data"])
        if cm["type"] == "code":
            block["source"] = _text(cell.source)
            block["outputs"] = code_outputs(cell.get("outputs", []))
        elif cm["type"] == "text":
            block["body"] = _text(cell.source)
        blocks.append(block)
    data["blocks"] = blocks
    try:
        return Module.model_validate(data)
    except ValidationError as e:
        err = e.errors(include_url=False)[0]
        loc = err["loc"]
        block_id = None
        if len(loc) > 1 and loc[0] == "blocks" and isinstance(loc[1], int) and loc[1] < len(blocks):
            block_id = blocks[loc[1]].get("id")
        raise ExportError(
            f"the lesson notebook does not make a valid module: {err['msg']}",
            location=Location(module_id=module_id, block_id=block_id, field=".".join(str(p) for p in loc)),
            hint="re-create the notebook from the module file with `mb export lesson`",
        ) from None


def _text(value: Any) -> str:
    return "".join(value) if isinstance(value, list) else str(value or "")


def code_outputs(outputs: list[Any]) -> list[Any]:
    """nbformat outputs -> :class:`~mblib.content.blocks.CodeOutput` list (stdout merged; richest mime)."""
    from ..content.blocks import CodeOutput

    out: list[tuple[str, str]] = []
    streaming = False  # the last output was stdout text, so the next stdout chunk joins it
    for o in outputs:
        kind = o.get("output_type")
        if kind == "stream":
            if o.get("name") != "stdout":
                continue
            text = _text(o.get("text"))
            if streaming:
                out[-1] = ("text/plain", out[-1][1] + text)
            else:
                out.append(("text/plain", text))
            streaming = True
        elif kind in ("execute_result", "display_data"):
            streaming = False
            data = o.get("data", {})
            for mime in OUTPUT_MIMES:
                if mime in data:
                    value = _text(data[mime])
                    if mime in ("image/png", "image/jpeg"):
                        value = "".join(value.split())
                    out.append((mime, value))
                    break
    return [CodeOutput(mime=m, data=d) for m, d in out]


def has_code(nb: Any) -> bool:
    """True when the notebook has at least one non-empty code cell."""
    return any(c.cell_type == "code" and _text(c.source).strip() for c in nb.cells)


def execute_notebook(
    nb: Any,
    *,
    module_id: str | None = None,
    cwd: str | Path | None = None,
    timeout: int = 120,
    kernel_name: str = "python3",
) -> Any:
    """Run the code cells of a lesson notebook in a fresh kernel (nbclient), in place.

    A failing cell raises :class:`CodeBlockError` naming the module and the block, with the
    exception and the last traceback line. A notebook without code starts no kernel.
    """
    if not has_code(nb):
        return nb
    try:
        from nbclient import NotebookClient
        from nbclient.exceptions import CellTimeoutError, DeadKernelError
    except ModuleNotFoundError:  # pragma: no cover
        from ..errors import MissingDependencyError

        raise MissingDependencyError.for_extra("nbclient", "export", "Executing code blocks") from None
    from ..kernel import KERNEL_START_ATTEMPTS, did_not_start, execute_with_fresh_kernel

    module_id = module_id or nb.metadata.get("mblib", {}).get("module", {}).get("id")
    path = str(Path(cwd) if cwd else Path.cwd())
    clients: list[Any] = []  # the last one ran the cells; a failure names its running block
    try:
        execute_with_fresh_kernel(nb, NotebookClient, clients, timeout=timeout, kernel_name=kernel_name, path=path)
    except CellTimeoutError as e:
        block = _running_block(nb, clients[-1])
        raise CodeBlockError(
            f"code block ran longer than {timeout} s",
            location=Location(module_id=module_id, block_id=block),
            hint="make the code faster, or raise the timeout",
        ) from e
    except DeadKernelError as e:
        raise CodeBlockError(
            "the Python kernel died while running the code blocks",
            location=Location(module_id=module_id, block_id=_running_block(nb, clients[-1])),
            hint="check the code for crashes or very large memory use",
        ) from e
    except RuntimeError as e:
        if not did_not_start(e):
            raise
        raise CodeBlockError(
            f"the Python kernel '{kernel_name}' did not start ({KERNEL_START_ATTEMPTS} attempts)",
            location=Location(module_id=module_id),
            hint="check that ipykernel is installed in this environment (make setup) and that the machine "
            "is not out of memory, then export again",
        ) from e
    for cell in nb.cells:
        for o in cell.get("outputs", []) if cell.cell_type == "code" else []:
            if o.get("output_type") == "error":
                block_id = cell.get("metadata", {}).get("mblib", {}).get("id")
                import re

                tb = [re.sub(r"\x1b\[[0-9;]*m", "", line) for line in o.get("traceback", [])]
                last = next(
                    (
                        ln.strip()
                        for ln in reversed("\n".join(tb).splitlines())
                        if ln.strip().startswith(("File", "Cell", "---->", "Input"))
                    ),
                    "",
                )
                raise CodeBlockError(
                    f"code block failed: {o.get('ename')}: {o.get('evalue')}" + (f" ({last})" if last else ""),
                    location=Location(module_id=module_id, block_id=block_id, field="source"),
                    hint=f"fix the code of block '{block_id}' in modules/{module_id}.yaml; the previous export is kept",
                )
    return nb


def _running_block(nb: Any, client: Any) -> str | None:
    index = getattr(client, "code_cells_executed", 0)
    code = [c for c in nb.cells if c.cell_type == "code"]
    cell = code[min(index, len(code) - 1)] if code else None
    return cell.get("metadata", {}).get("mblib", {}).get("id") if cell is not None else None


def execute_module(module: Module, *, workspace: str | Path | None = None, timeout: int = 120) -> tuple[Module, Any]:
    """Module -> executed lesson notebook -> module with outputs. Returns ``(module, notebook)``."""
    nb = module_to_notebook(module, workspace=workspace)
    execute_notebook(nb, module_id=module.id, cwd=workspace, timeout=timeout)
    return notebook_to_module(nb), nb


__all__ = ["code_outputs", "execute_module", "execute_notebook", "has_code", "module_to_notebook", "notebook_to_module"]
