"""``mb keys new``, ``mb verify PATH``, ``mb revoke CREDENTIAL_ID``: thin faces over the signed Open Badges
of :mod:`mblib.export` (keys, verification, revocation)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import MblibError
from ._common import DEFAULT_EXPORTS, friendly, workspace_path

KEY_OPTION = click.option(
    "--key",
    "key_file",
    type=click.Path(path_type=Path),
    default=None,
    help="issuer key file (default: $MBLIB_ISSUER_KEY, else the key `mb keys new` made)",
)


def forbidden_roots(workspace: str | None = None, *extra: Path | None) -> list[Path]:
    """Folders a key must never be in: the workspace (when one is given or found) and the exports."""
    roots: list[Path] = [DEFAULT_EXPORTS.resolve(), *[p for p in extra if p is not None]]
    try:
        roots.append(workspace_path(workspace))
    except MblibError:
        pass
    return roots


@click.group()
def keys() -> None:
    """Issuer keys for signing Open Badges (kept outside workspaces and exports)."""


@keys.command("new")
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    default=None,
    help="key file to write (default: issuer.json in the keys folder of your mblib configuration)",
)
@click.option("--force", is_flag=True, help="replace an existing key (credentials it signed then no longer verify)")
@click.option(
    "--did-web",
    "did_web",
    default=None,
    help="the issuer's domain: its identifier becomes did:web:DOMAIN (default when the issuer has a website)",
)
@click.option("--did-key", "did_key", is_flag=True, help="a did:key identifier even when the issuer has a website")
@click.option("-w", "--workspace", "workspace", default=None, help="workspace the key must stay out of")
@friendly
def keys_new(out: Path | None, force: bool, did_web: str | None, did_key: bool, workspace: str | None) -> None:
    """Create an Ed25519 issuer key (file mode 0600) and print the issuer identifier.

    The identifier is ``did:web`` of the issuer's website when the workspace's issuer has one
    (``[issuer] url`` in mblib.toml), else ``did:key``; ``--did-key`` and ``--did-web`` choose.
    """
    from ..export.didkey import did_web_document_path
    from ..export.keys import new_key

    if did_web and did_key:
        raise click.UsageError("choose one of --did-web and --did-key")
    website = None if did_web or did_key else _issuer_website(workspace)
    if website:
        did_web = did_web_domain(website)
    path, key = new_key(out, force=force, did_web=did_web, forbidden=forbidden_roots(workspace))
    click.echo(f"key: {path} (owner-only; back it up, never publish it)")
    click.echo(
        f"issuer: {key.did}" + (f" (the issuer's website {website}; --did-key for a did:key)" if website else "")
    )
    if did_web:
        click.echo(
            "did:web: `mb export badge --sign` and `mb share --site` write the DID document; publish it at "
            f"https://{did_web.split('/')[0]}/{did_web_document_path(key.did)}"
        )


def did_web_domain(website: str) -> str:
    """The ``--did-web`` value of an issuer website: its host (and port), then its path segments.

    >>> did_web_domain("https://learning.northwind.example/")
    'learning.northwind.example'
    >>> did_web_domain("https://example.org:8443/badges/")
    'example.org:8443/badges'
    """
    from urllib.parse import urlsplit

    parts = urlsplit(website)
    return "/".join([parts.netloc, *[p for p in parts.path.split("/") if p]])


def _issuer_website(workspace: str | None) -> str | None:
    try:
        from ..content import Workspace

        issuer = Workspace.open(workspace_path(workspace)).settings.issuer
    except MblibError:
        return None
    return str(issuer.url) if issuer is not None and issuer.url else None


@click.command()
@click.argument("path", type=click.Path(path_type=Path))
@friendly
def verify(path: Path) -> None:
    """Verify a credential file or a folder of them, offline: proof, issuer key, schema, dates, revocation.

    Exit status 1 when any credential fails a check.
    """
    from ..export.verify_files import verify_path

    results = verify_path(path)
    failed = 0
    for file, report in results:
        click.echo(f"{file}: {'valid' if report.ok else 'NOT VALID'}")
        for line in report.lines():
            click.echo(f"  {line}")
        failed += not report.ok
    click.echo(f"{len(results)} credential(s): {len(results) - failed} valid, {failed} not valid")
    if failed:
        sys.exit(1)


@click.command()
@click.argument("credential_id")
@click.option("--reason", required=True, help="why it is revoked (kept in the issuer's registry, not published)")
@KEY_OPTION
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="also write the re-signed status list into this badges folder",
)
@friendly
def revoke(credential_id: str, reason: str, key_file: Path | None, out: Path | None) -> None:
    """Revoke CREDENTIAL_ID (urn:uuid:... or its UUID): set its status bit and re-sign the status list."""
    from ..export.badge_signing import revoke_credential
    from ..export.keys import load_key

    key = load_key(key_file, forbidden=forbidden_roots(None))
    index, written = revoke_credential(credential_id, reason, key, out=out)
    click.echo(f"revoked: {credential_id} (status index {index})")
    for path in written:
        click.echo(f"status list: {path} (publish it again)")
    if not written:
        click.echo("status list: no export folder found; run mb export badge --sign again and publish it")


__all__ = ["forbidden_roots", "keys", "revoke", "verify"]
