"""``mb share``: what a learner shares, a thin face over :func:`mblib.export.write_credential_pages`."""

from __future__ import annotations

from pathlib import Path

import click

from ._common import friendly


@click.command("share")
@click.argument("credentials", type=click.Path(path_type=Path))
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path),
    default=None,
    help="folder to write (e.g. SITE/credentials); default: CREDENTIALS/pages",
)
@click.option(
    "--base-url",
    default=None,
    help="the public address of the --out folder (https://...); the LinkedIn link points at the page there",
)
@click.option(
    "--names",
    "names",
    type=click.Path(path_type=Path),
    default=None,
    help="CSV with learner_id,display_name: learners to name on their pages (others show a hashed id only)",
)
@friendly
def share(credentials: Path, out: Path | None, base_url: str | None, names: Path | None) -> None:
    """Public pages for the credentials in CREDENTIALS (what `mb export badge` wrote).

    Per credential: <uuid>.html (the page), <uuid>.svg (the badge, credential baked in) and
    <uuid>.json (the credential, for wallets). Nothing here fetches anything.
    """
    from ..export.badge_page import read_display_names, write_credential_pages

    display = read_display_names(names) if names is not None else None
    target = out if out is not None else credentials / "pages"
    pages = write_credential_pages(credentials, target, display_names=display, base_url=base_url)
    click.echo(f"credential pages: {len(pages)} in {target}")
    if base_url is None:
        click.echo("note: no --base-url, so the LinkedIn links carry no credential URL")
