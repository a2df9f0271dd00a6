"""Issuer keys: Ed25519, kept outside the workspace and the exports, readable by their owner only.

A key file is a ``Multikey`` JSON document (the form the reference implementations read):
``id`` (the verification method), ``controller`` (the issuer's DID: ``did:key`` by default,
``did:web`` when the issuer has a website), ``publicKeyMultibase``, ``secretKeyMultibase``.
It is found, in order: the path given, the ``MBLIB_ISSUER_KEY`` environment variable (the file's
JSON, or just its ``secretKeyMultibase``), ``<config>/keys/issuer.json``, where ``<config>`` is
``$MBLIB_CONFIG_DIR``, else ``$XDG_CONFIG_HOME/mblib``, else ``~/.config/mblib``.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import Location
from .didkey import did_document, did_key, public_multikey, secret_from_multikey, secret_multikey, verification_method
from .errors import ExportError

KEY_ENV = "MBLIB_ISSUER_KEY"
DEFAULT_KEY_NAME = "issuer.json"
DEMO_KEY_NAME = "demo-issuer.json"


class IssuerKeyError(ExportError):
    """An issuer key that cannot be created, found or used."""


def config_dir() -> Path:
    """The user's mblib configuration folder: ``$MBLIB_CONFIG_DIR``, ``$XDG_CONFIG_HOME/mblib`` or ``~/.config/mblib``."""
    env = os.environ.get("MBLIB_CONFIG_DIR")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CONFIG_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".config") / "mblib"


def default_key_path(name: str = DEFAULT_KEY_NAME) -> Path:
    """``<config>/keys/<name>``."""
    return config_dir() / "keys" / name


@dataclass(frozen=True)
class IssuerKey:
    """An Ed25519 signing key and the issuer identifier (DID) it belongs to."""

    seed: bytes = field(repr=False)
    did: str
    demo: bool = False
    source: str = ""

    @property
    def public(self) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        private = Ed25519PrivateKey.from_private_bytes(self.seed)
        return private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    @property
    def verification_method(self) -> str:
        """The id of the key in the issuer's DID document (what a proof names)."""
        return str(verification_method(self.did, self.public)["id"])

    def sign(self, data: bytes) -> bytes:
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.seed).sign(data)

    def did_document(self) -> dict[str, Any]:
        """The issuer's DID document (what ``did.json`` holds for a ``did:web``)."""
        return did_document(self.did, self.public)

    def to_json(self) -> dict[str, Any]:
        """The key file's content (holds the private key: never publish it)."""
        vm = verification_method(self.did, self.public)
        doc: dict[str, Any] = {
            "@context": "https://w3id.org/security/multikey/v1",
            **vm,
            "secretKeyMultibase": secret_multikey(self.seed),
        }
        if self.demo:
            doc["mblibDemo"] = True
        return doc


def _inside(path: Path, roots: Iterable[str | Path | None]) -> Path | None:
    target = path.expanduser().resolve()
    for root in roots:
        if root is None:
            continue
        r = Path(root).expanduser().resolve()
        if target == r or target.is_relative_to(r):
            return r
    return None


def new_key(
    out: str | Path | None = None,
    *,
    force: bool = False,
    did_web: str | None = None,
    demo: bool = False,
    forbidden: Iterable[str | Path | None] = (),
) -> tuple[Path, IssuerKey]:
    """Create an Ed25519 issuer key file (owner-only, 0600) and return its path and key.

    ``out`` defaults to ``<config>/keys/issuer.json`` (``demo-issuer.json`` for a demo key).
    Refused: a path inside one of ``forbidden`` (the workspace, the exports), and an existing
    file unless ``force``. ``did_web`` (a domain, e.g. ``badges.example.org``) makes the issuer
    a ``did:web``; otherwise it is the key's ``did:key``.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

    from .didkey import did_web as make_did_web

    path = Path(out).expanduser() if out is not None else default_key_path(DEMO_KEY_NAME if demo else DEFAULT_KEY_NAME)
    root = _inside(path, forbidden)
    if root is not None:
        raise IssuerKeyError(
            f"refusing to write an issuer key inside {root}: keys must never be part of a workspace or an export",
            location=Location(file=str(path)),
            hint=f"leave out --out (the key goes to {default_key_path()}) or name a path outside {root}",
        )
    if path.exists() and not force:
        raise IssuerKeyError(
            f"an issuer key already exists at {path}; it was kept",
            location=Location(file=str(path)),
            hint="credentials signed with it verify only with it: pass --force to replace it anyway, or --out NEW_PATH",
        )
    seed = Ed25519PrivateKey.generate().private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    did = make_did_web(*did_web.split("/")) if did_web else did_key(public)
    key = IssuerKey(seed=seed, did=did, demo=demo, source=str(path))
    write_private(path, (json.dumps(key.to_json(), indent=2) + "\n").encode("utf-8"))
    return path, key


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically with mode 0600 (the folder 0700 when created)."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def key_from_json(data: dict[str, Any] | str, *, source: str) -> IssuerKey:
    """An :class:`IssuerKey` from a key file's JSON (or a bare ``secretKeyMultibase``)."""
    from .didkey import public_from_multikey

    if isinstance(data, str):
        seed = secret_from_multikey(data.strip())
        key = IssuerKey(seed=seed, did="", source=source)
        return IssuerKey(seed=seed, did=did_key(key.public), source=source)
    secret = data.get("secretKeyMultibase")
    if not isinstance(secret, str):
        raise IssuerKeyError(
            f"{source} holds no secretKeyMultibase: it is not an mblib issuer key",
            location=Location(file=source, field="secretKeyMultibase"),
            hint="create one with: mb keys new",
        )
    seed = secret_from_multikey(secret)
    probe = IssuerKey(seed=seed, did="", source=source)
    did = str(data.get("controller") or did_key(probe.public))
    if data.get("publicKeyMultibase") and public_from_multikey(str(data["publicKeyMultibase"])) != probe.public:
        raise IssuerKeyError(
            f"{source}: publicKeyMultibase does not belong to secretKeyMultibase",
            location=Location(file=source, field="publicKeyMultibase"),
            hint="the key file was edited: restore it from your backup or create a new key (mb keys new)",
        )
    if did.startswith("did:key:") and did != did_key(probe.public):
        raise IssuerKeyError(
            f"{source}: controller {did} is not this key's did:key",
            location=Location(file=source, field="controller"),
            hint="restore the key file from your backup",
        )
    return IssuerKey(seed=seed, did=did, demo=bool(data.get("mblibDemo")), source=source)


def load_key(path: str | Path | None = None, *, forbidden: Iterable[str | Path | None] = ()) -> IssuerKey:
    """The issuer key: ``path``, else ``$MBLIB_ISSUER_KEY``, else ``<config>/keys/issuer.json``.

    A key file inside one of ``forbidden`` (workspace, exports) or readable by other users is refused.
    """
    if path is None and os.environ.get(KEY_ENV):
        text = os.environ[KEY_ENV].strip()
        try:
            data = json.loads(text) if text.startswith("{") else text
        except json.JSONDecodeError as e:
            raise IssuerKeyError(
                f"${KEY_ENV} is not valid JSON: {e.msg}", hint="put the key file's content (or its secretKeyMultibase)"
            ) from None
        return key_from_json(data, source=f"${KEY_ENV}")
    file = Path(path).expanduser() if path is not None else default_key_path()
    if not file.is_file():
        raise IssuerKeyError(
            f"no issuer key at {file}",
            location=Location(file=str(file)),
            hint=f"create one with: mb keys new (or pass --key FILE, or set {KEY_ENV})",
        )
    root = _inside(file, forbidden)
    if root is not None:
        raise IssuerKeyError(
            f"the issuer key {file} lies inside {root}; a key must never be part of a workspace or an export",
            location=Location(file=str(file)),
            hint=f"move it out (e.g. to {default_key_path()}) and create a new one if it was ever shared",
        )
    mode = stat.S_IMODE(file.stat().st_mode)
    if mode & 0o077:
        raise IssuerKeyError(
            f"the issuer key {file} can be read by other users (mode {mode:o})",
            location=Location(file=str(file)),
            hint=f"run: chmod 600 {file}",
        )
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise IssuerKeyError(
            f"{file} is not a JSON key file: {e}", location=Location(file=str(file)), hint="create one: mb keys new"
        ) from None
    if not isinstance(data, dict):
        raise IssuerKeyError(f"{file} is not a key file", location=Location(file=str(file)), hint="mb keys new")
    return key_from_json(data, source=str(file))


def demo_key() -> tuple[Path, IssuerKey, bool]:
    """The throwaway demo issuer key, ``<config>/keys/demo-issuer.json``: ``(path, key, created now)``.

    Made on first use; marked as a demo key in its file. Never sign real credentials with it.
    """
    path = default_key_path(DEMO_KEY_NAME)
    if path.is_file():
        return path, load_key(path), False
    path, key = new_key(path, demo=True)
    return path, key, True


def public_multibase(key: IssuerKey) -> str:
    """The key's ``publicKeyMultibase``."""
    return public_multikey(key.public)


__all__ = [
    "DEFAULT_KEY_NAME",
    "DEMO_KEY_NAME",
    "KEY_ENV",
    "IssuerKey",
    "IssuerKeyError",
    "config_dir",
    "default_key_path",
    "demo_key",
    "key_from_json",
    "load_key",
    "new_key",
    "public_multibase",
    "write_private",
]
