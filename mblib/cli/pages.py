"""``mb share``: what a learner shares, a thin face over :func:`mblib.export.badge_publish.publish_credential_pages`."""

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
@click.option(
    "--allow-unverified",
    "allow_unverified",
    is_flag=True,
    help="publish credentials that fail verification too (their pages say that verification failed)",
)
@click.option(
    "--site",
    "site",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="the root of the site --out belongs to: a did:web issuer's did.json is written there as well",
)
@friendly
def share(
    credentials: Path,
    out: Path | None,
    base_url: str | None,
    names: Path | None,
    allow_unverified: bool,
    site: Path | None,
) -> None:
    """Public pages for the credentials in CREDENTIALS (what `mb export badge` wrote), verified first.

    Every credential is verified offline (as `mb verify` does); one that fails is not published
    unless --allow-unverified is given. Per credential: <uuid>.html (the page, with the
    verification status as computed now), <uuid>.svg (the badge, credential baked in) and
    <uuid>.json / <uuid>.jwt (the credential, for wallets); the folder also holds the status list
    (and a did:web issuer's did.json), so `mb verify OUT` works on it. Nothing is fetched.
    """
    from ..export.badge_page import read_display_names
    from ..export.badge_publish import publish_credential_pages

    display = read_display_names(names) if names is not None else None
    target = out if out is not None else credentials / "pages"
    pages = publish_credential_pages(
        credentials,
        target,
        site=site,
        allow_unverified=allow_unverified,
        display_names=display,
        base_url=base_url,
    )
    for p in pages:
        state = "verified" if p.ok else "NOT VERIFIED (" + ", ".join(p.failed()) + "; the page says so)"
        click.echo(f"page: {p.page} {state}")
    click.echo(f"credential pages: {len(pages)} in {target} ({sum(p.ok for p in pages)} verified)")
    if base_url is None:
        click.echo("note: no --base-url, so the LinkedIn links carry no credential URL")
