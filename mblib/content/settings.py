"""Workspace settings, read from ``mblib.toml``.

>>> s = Settings.from_toml_text('[workspace]\\ntitle = "Demo"\\n[authoring]\\nduration_budget_min = 8\\n', "mblib.toml")
>>> s.workspace.title, s.authoring.duration_budget_min, s.duration.reading_wpm
('Demo', 8.0, 200.0)
"""

from __future__ import annotations

import re
import tomllib
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator

from ..errors import Location, SettingsError
from .blocks import ID_PATTERN, Model
from .credential import Issuer
from .language import HINT, is_language_tag
from .module import DurationSettings

SETTINGS_FILE = "mblib.toml"


class WorkspaceInfo(Model):
    title: str = "Untitled workspace"
    source_language: str = "en"
    target_languages: list[str] = Field(default_factory=list)

    @field_validator("source_language")
    @classmethod
    def _source_tag(cls, v: str) -> str:
        return _language_tag(v)

    @field_validator("target_languages")
    @classmethod
    def _target_tags(cls, v: list[str]) -> list[str]:
        return [_language_tag(t) for t in v]


def _language_tag(v: str) -> str:
    if not is_language_tag(v):
        raise ValueError(f"'{v}' is not a valid BCP 47 language tag; {HINT}")
    return v


class AuthoringSettings(Model):
    duration_budget_min: float = Field(10.0, gt=0, description="microlearning budget per module, minutes")
    max_objectives: int = Field(3, ge=1, description="more objectives than this is flagged")
    max_alt_length: int = Field(150, ge=20, description="longer alt text is flagged (use a caption)")
    workload_factor: float = Field(
        2.0, gt=1, description="a credential's declared hours more than this factor off the computed ones is flagged"
    )


class PrivacySettings(Model):
    k_threshold: int = Field(5, ge=1, description="groups smaller than this are suppressed in reports")
    key_env: str = Field("MBLIB_PSEUDONYM_KEY", description="environment variable holding the pseudonymisation key")
    pseudonym_key: SecretStr | None = Field(
        None, description="pseudonymisation key (prefer key_env: a key kept in git is shared with everyone)"
    )


class TranslationSettings(Model):
    """``[translation]``: where models live, which engine, search and batch sizes."""

    models_dir: str = Field(
        ".mblib/models", description="folder (relative to the workspace) that `mb models pull` fills"
    )
    engine: str = Field(
        "auto",
        pattern=r"^(auto|ctranslate2|transformers)$",
        description="auto: CTranslate2 when installed, else transformers",
    )
    beam_size: int = Field(1, ge=1, le=16, description="1 = greedy search")
    batch_size: int = Field(16, ge=1, le=1024)
    models: dict[str, str] = Field(
        default_factory=dict,
        description='language pair -> local folder or hub id, e.g. "en-fr" = "models/opus-mt-en-fr"',
    )


class PathwaysSettings(Model):
    """``[pathways]``: modules that count for one another when planning a learner's next step.

    ``equivalent = [["module-a", "module-b"], ...]``: passing any module of a group credits the others.
    """

    equivalent: list[Annotated[list[str], Field(max_length=100)]] = Field(
        default_factory=list, max_length=1000, description="groups of module ids that count for one another"
    )

    @field_validator("equivalent")
    @classmethod
    def _groups(cls, v: list[list[str]]) -> list[list[str]]:
        for i, group in enumerate(v):
            if len(set(group)) < 2:
                raise ValueError(
                    f"equivalent[{i}] = {group!r} needs at least two different module ids "
                    '(e.g. equivalent = [["module-a", "module-b"]])'
                )
            for mid in group:
                if not re.fullmatch(ID_PATTERN, mid):
                    raise ValueError(f"equivalent[{i}] names {mid!r}, which is not a module id (a-z, 0-9, . _ -)")
        return v


class Settings(Model):
    workspace: WorkspaceInfo = Field(default_factory=WorkspaceInfo)
    authoring: AuthoringSettings = Field(default_factory=AuthoringSettings)
    duration: DurationSettings = Field(default_factory=DurationSettings)
    issuer: Issuer | None = None
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    translation: TranslationSettings = Field(default_factory=TranslationSettings)
    pathways: PathwaysSettings = Field(default_factory=PathwaysSettings)

    @classmethod
    def from_toml_text(cls, text: str, file: str) -> Settings:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as e:
            line = getattr(e, "lineno", None)
            col = getattr(e, "colno", None)
            msg = getattr(e, "msg", str(e))
            pos = re.search(r"\s*\(at line (\d+), column (\d+)\)$", msg)
            if pos:  # Python < 3.14 keeps the position only in the message
                line, col = line or int(pos.group(1)), col or int(pos.group(2))
                msg = msg[: pos.start()]
            raise SettingsError(
                f"TOML syntax error: {msg}",
                location=Location(file=file, line=line, column=col),
                hint="check quotes and '=' signs; see the README section on mblib.toml",
            ) from None
        except RecursionError:  # tomllib recurses once per nested array or inline table
            raise SettingsError(
                "arrays or tables are nested too deeply",
                location=Location(file=file, line=_first_line(text, r"[\[{]\s*[\[{]\s*[\[{]")),
                hint="flatten the value: settings need only a few levels",
            ) from None
        except ValueError as e:  # an integer longer than Python converts (4300 digits)
            raise SettingsError(
                f"a value cannot be read: {str(e).split(';')[0]}",
                location=Location(file=file, line=_first_line(text, r"\d[\d_]{30,}")),
                hint="use a smaller number, or put it in quotes if it is text",
            ) from None
        return cls.from_data(data, file)

    @classmethod
    def from_data(cls, data: dict[str, Any], file: str) -> Settings:
        try:
            return cls.model_validate(data)
        except ValidationError as err:
            e = err.errors(include_url=False)[0]
            loc = ".".join(str(p) for p in e["loc"])
            line = _toml_line(file, e["loc"])
            hint = None
            if e["type"] == "extra_forbidden":
                hint = f"remove '{loc}' or fix its spelling"
            elif e["type"] == "missing":
                hint = f"add '{e['loc'][-1]} = ...' under [{'.'.join(str(p) for p in e['loc'][:-1])}]"
            else:
                hint = f"fix the value of '{loc}'"
            raise SettingsError(
                f"{e['msg']} (got {e.get('input')!r})" if e["type"] != "missing" else f"'{loc}' is missing",
                location=Location(file=file, line=line, field=loc),
                hint=hint,
            ) from None


def _first_line(text: str, pattern: str) -> int | None:
    """1-based line of the first match of ``pattern`` in ``text`` (None when nothing matches)."""
    m = re.search(pattern, text)
    return text.count("\n", 0, m.start()) + 1 if m else None


def _toml_line(file: str, loc: tuple[Any, ...]) -> int | None:
    """Best-effort line of a key in a TOML file (tomllib keeps no positions)."""
    try:
        lines = open(file, encoding="utf-8").read().splitlines()
    except OSError:
        return None
    section = ".".join(str(p) for p in loc[:-1])
    key = str(loc[-1])
    current = ""
    for i, line in enumerate(lines, 1):
        s = line.strip()
        if s.startswith("[") and s.endswith("]"):
            current = s.strip("[]").strip()
            if current == ".".join(str(p) for p in loc):
                return i
            continue
        if current == section and s.split("=", 1)[0].strip() == key:
            return i
    return None


__all__ = [
    "AuthoringSettings",
    "PathwaysSettings",
    "PrivacySettings",
    "SETTINGS_FILE",
    "Settings",
    "TranslationSettings",
    "WorkspaceInfo",
]
