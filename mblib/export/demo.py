"""What ``mb demo`` exports: every lesson, each credential's site, SCORM 1.2 and cmi5 packages
for every credential and module, and Open Badges once learner events exist (signed with a
throwaway demo issuer key kept in the user's mblib configuration folder, then verified, with
the learners' public pages written into the credential's site)."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ..content.workspace import Workspace


def find_events(out: Path, workspace: Workspace) -> Path | None:
    """The learner events table the analytics demo wrote, if any (``$MBLIB_EVENTS`` first)."""
    env = os.environ.get("MBLIB_EVENTS")
    candidates = [Path(env)] if env else []
    for base in (
        out / "analytics",
        out / workspace.root.name / "analytics",
        out / "synthetic",
        out / workspace.root.name / "synthetic",
    ):
        candidates += [base / "events.parquet", base / "events", base / "events.csv"]
    return next((p for p in candidates if p.exists()), None)


def export_everything(
    workspace: Workspace,
    out: str | Path,
    *,
    echo: Callable[[str], None] = print,
    workers: int | None = None,
    events: str | Path | None = None,
) -> dict[str, Path]:
    """Export a whole workspace under ``out/<workspace-name>/``; returns the main output paths."""
    from .badges import export_badges
    from .cmi5 import export_cmi5
    from .lessons import export_lessons
    from .scorm import export_scorm
    from .site import export_site

    t0 = time.perf_counter()
    out = Path(out)
    base = out / workspace.root.name
    report = export_lessons(workspace, base / "lessons", workers=workers, echo=echo)
    echo(f"lessons: {report}")
    paths = {"lessons": base / "lessons"}
    for cid in workspace.credentials:
        site = export_site(workspace, cid, base / "site" / cid, workers=workers)
        paths[f"site:{cid}"] = site
        echo(f"site: {site / 'index.html'}")
    for item in [*workspace.credentials, *workspace.modules]:
        export_scorm(workspace, item, base / "scorm" / f"{item}.zip", workers=workers)
        export_cmi5(workspace, item, base / "cmi5" / f"{item}.zip", workers=workers)
    paths["scorm"], paths["cmi5"] = base / "scorm", base / "cmi5"
    n = len(workspace.credentials) + len(workspace.modules)
    echo(f"scorm 1.2: {n} packages in {base / 'scorm'}; cmi5: {n} packages in {base / 'cmi5'}")
    found = Path(events) if events else find_events(out, workspace)
    if found is None:
        echo("badges: skipped, no learner events yet (run the analytics demo first, or set MBLIB_EVENTS=path)")
    else:
        from .keys import config_dir, demo_key
        from .verify_files import verify_path

        key_path, key, created = demo_key()
        echo(
            f"badges: {'created the' if created else 'using the'} DEMO issuer key {key_path} ({key.did}); "
            "throwaway, for this demo only: make your own with `mb keys new`"
        )
        for cid in workspace.credentials:
            folder = export_badges(
                workspace, cid, found, base / "badges" / cid, key=key, registry=config_dir() / "issued-demo"
            )
            count = len(list((folder / "credentials").glob("*.json"))) if (folder / "credentials").is_dir() else 0
            echo(f"badges: {cid}: achievement + {count} signed learner credential(s) in {folder} (from {found})")
            if count:
                results = verify_path(folder)
                valid = sum(r.ok for _, r in results)
                echo(f"badges: {cid}: mb verify: {valid} of {len(results)} credential(s) valid")
                publish_pages(folder, paths[f"site:{cid}"], cid, echo)
        paths["badges"] = base / "badges"
    echo(f"export finished in {time.perf_counter() - t0:.1f} s")
    return paths


def publish_pages(badges: Path, site: Path, cid: str, echo: Callable[[str], None]) -> Path:
    """The learner pages of a demo badges export, verified, in ``<site>/credentials``; then ``mb verify`` on the site."""
    from .badge_publish import publish_credential_pages
    from .keys import config_dir
    from .verify_files import verify_path

    pages = publish_credential_pages(
        badges, site / "credentials", site=site, registry_folder=config_dir() / "issued-demo"
    )
    verified = sum(p.ok for p in pages)
    echo(f"badges: {cid}: {len(pages)} learner page(s) in {site / 'credentials'}, {verified} verified when published")
    results = verify_path(site)
    echo(f"badges: {cid}: mb verify {site}: {sum(r.ok for _, r in results)} of {len(results)} credential(s) valid")
    return site / "credentials"


def run_demo(workspace: Workspace, out: str | Path, echo: Callable[[str], None] = print) -> dict[str, Path]:
    """The export step of ``mb demo`` (skipped, with the install command, when the export extra is missing)."""
    from ..errors import MissingDependencyError

    echo("")
    echo("export:")
    try:
        return export_everything(workspace, out, echo=echo)
    except MissingDependencyError as e:
        echo(f"export: skipped: {e}")
        return {}


__all__ = ["export_everything", "find_events", "publish_pages", "run_demo"]
