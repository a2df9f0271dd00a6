"""JSON-LD offline: the contexts Open Badges 3.0 needs, shipped in the package, and a document
loader that serves only them (and ``did:key`` documents, computed from the key). Any other URL is
an :class:`OfflineDocumentError`: nothing is ever fetched.

>>> document_loader("https://purl.imsglobal.org/spec/ob/v3p0/extensions.json")["documentUrl"]
'https://purl.imsglobal.org/spec/ob/v3p0/extensions.json'
>>> document_loader("https://example.org/ctx.json")
Traceback (most recent call last):
...
mblib.export.contexts.OfflineDocumentError: the JSON-LD document 'https://example.org/ctx.json' is not one mblib ships; nothing is fetched
  fix: use only these @context URLs: https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json, https://purl.imsglobal.org/spec/ob/v3p0/extensions.json, https://www.w3.org/ns/credentials/v2
"""

from __future__ import annotations

import copy
import functools
import json
import re
from importlib import resources
from typing import Any

from .didkey import KeyFormatError, resolve_did_key
from .errors import ExportError

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
#: URL -> file in ``mblib/export/ob3/`` (provenance: ``ob3/PROVENANCE.md``).
CONTEXT_FILES: dict[str, str] = {
    VC_CONTEXT: "credentials-v2.jsonld",
    OB_CONTEXT: "context-3.0.3.json",
    OB_EXTENSIONS: "extensions.json",
}
#: The ``@context`` of every credential mblib issues.
CREDENTIAL_CONTEXT = [VC_CONTEXT, OB_CONTEXT, OB_EXTENSIONS]


class OfflineDocumentError(ExportError):
    """A JSON-LD document (context, DID) that is not available offline."""


@functools.cache
def _shipped(name: str) -> str:
    return resources.files("mblib.export").joinpath("ob3", name).read_text(encoding="utf-8")


def shipped_json(name: str) -> Any:
    """A JSON document of ``mblib/export/ob3/`` (a context or the OB 3.0 JSON Schema), parsed anew."""
    return json.loads(_shipped(name))


def load_context(url: str) -> dict[str, Any]:
    """The shipped context document for ``url``; :class:`OfflineDocumentError` for any other URL."""
    name = CONTEXT_FILES.get(url)
    if name is None:
        raise OfflineDocumentError(
            f"the JSON-LD document '{url}' is not one mblib ships; nothing is fetched",
            hint="use only these @context URLs: " + ", ".join(sorted(CONTEXT_FILES)),
        )
    doc: dict[str, Any] = shipped_json(name)
    return doc


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """A pyld document loader: the shipped contexts and ``did:key`` documents; nothing else, never a fetch."""
    if url.startswith("did:key:"):
        try:
            document = resolve_did_key(url)
        except KeyFormatError as e:
            raise OfflineDocumentError(e.message, hint=e.hint) from None
    else:
        document = load_context(url)
    return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(document)}


def _cause(error: BaseException) -> ExportError | None:
    seen: set[int] = set()
    stack: list[Any] = [error]
    while stack:
        e = stack.pop()
        if e is None or id(e) in seen:
            continue
        seen.add(id(e))
        if isinstance(e, ExportError):
            return e
        stack += [getattr(e, "cause", None), e.__cause__, e.__context__]
        details = getattr(e, "details", None)
        if isinstance(details, dict):
            stack.append(details.get("cause"))
    return None


def canonize(doc: dict[str, Any], *, what: str = "document") -> str:
    """RDF Dataset Canonicalization (RDFC-1.0 / URDNA2015) of a JSON-LD document, as canonical N-Quads.

    Safe mode (as in the reference implementations): a property no context defines (it would be
    dropped from what is signed) or a relative ``@type``/IRI is an :class:`ExportError`.
    """
    from pyld import jsonld

    dropped: list[str] = []
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": document_loader,
        "safe": True,
    }
    try:
        processor = jsonld.JsonLdProcessor(on_property_dropped=lambda p: dropped.append(str(p)))
        out: str = processor.normalize(doc, options)
    except jsonld.JsonLdError as e:
        ours = _cause(e)
        if ours is not None:
            raise type(ours)(ours.message, location=ours.location, hint=ours.hint) from None
        raise ExportError(
            f"the {what} is not valid JSON-LD for signing: {_message(e)}",
            hint=f"every property must be defined by the credential's @context ({', '.join(CREDENTIAL_CONTEXT)})",
        ) from None
    except (KeyError, TypeError, ValueError, AttributeError) as e:  # pyld on malformed input
        raise ExportError(
            f"the {what} is not valid JSON-LD for signing ({type(e).__name__}: {e})",
            hint=f"use the credential's @context as issued ({', '.join(CREDENTIAL_CONTEXT)})",
        ) from None
    # pyld has no "safe mode": refuse here what the reference implementations refuse in theirs
    relative = re.search("<" + re.escape(jsonld.DEFAULT_BASE_IRI) + "([^>]*)>", out)
    if dropped or relative:
        term = "a property that expands to nothing (a term mapped to null)"
        if relative is not None:
            term = f"the relative @type or IRI {relative[1]!r}"
        raise ExportError(
            f"the {what} is not valid JSON-LD for signing: {term} is not defined by its @context",
            hint=f"every property and type must be defined by the credential's @context "
            f"({', '.join(CREDENTIAL_CONTEXT)}), or be an absolute URL",
        )
    return out


def _message(e: Any) -> str:
    parts = [str(getattr(e, "message", "") or e).splitlines()[0]]
    details = getattr(e, "details", None)
    if isinstance(details, dict):
        for key in ("term", "type", "property", "value", "url"):
            if details.get(key) not in (None, ""):
                parts.append(f"{key} {str(details[key])[:80]!r}")
    return "; ".join(parts)


__all__ = [
    "CONTEXT_FILES",
    "CREDENTIAL_CONTEXT",
    "OB_CONTEXT",
    "OB_EXTENSIONS",
    "VC_CONTEXT",
    "OfflineDocumentError",
    "canonize",
    "document_loader",
    "load_context",
    "shipped_json",
]
