"""Microcredentials: modules grouped with electives, a prerequisite DAG, criteria and the
elements of the European approach to micro-credentials (Council Recommendation 2022/C 243/02).

>>> from mblib.content import Credential
>>> c = Credential(id="c1", title="C1", required=["a", "b", "c"],
...                prerequisites={"b": ["a"], "c": ["b"]})
>>> c.pathway()
['a', 'b', 'c']
"""

from __future__ import annotations

import heapq
from graphlib import CycleError, TopologicalSorter
from typing import Literal

from pydantic import Field, HttpUrl, field_validator

from .blocks import Id, Model
from .unique import check_unique


class Issuer(Model):
    """The awarding body."""

    id: str | None = Field(None, description="a URL or DID that identifies the issuer")
    name: str
    url: HttpUrl | None = None
    email: str | None = None
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 country code of the issuer")


class ElectiveGroup(Model):
    """Choose ``choose`` of ``modules``."""

    id: Id
    title: str | None = None
    choose: int = Field(ge=1)
    modules: list[Id]


class Criteria(Model):
    """What earns the credential."""

    narrative: str = Field(description="what a learner must do, in words shown on the badge")
    min_score: float | None = Field(None, ge=0, le=1, description="minimum average module score, 0..1")


class SkillAlignment(Model):
    """A skill or competence the credential is aligned to (ESCO, O*NET, a company framework...).

    ``name`` is its label, ``url`` its URI in the framework (for ESCO the concept URI,
    ``http://data.europa.eu/esco/skill/<uuid>``), ``covers`` the skill ids of the workspace's modules
    it stands for: holders of the credential are credited with them (:mod:`mblib.content.credit`).
    """

    name: str = Field(description="the skill's label, e.g. the ESCO preferred label")
    framework: str | None = Field(None, description="e.g. ESCO, DigComp 2.2, O*NET")
    code: str | None = None
    url: HttpUrl | None = Field(None, description="the skill's URI in its framework")
    covers: list[Id] = Field(
        default_factory=list, description="module skill ids this skill stands for, e.g. data-literacy.charts"
    )


class Workload(Model):
    hours: float = Field(gt=0, description="notional learning hours")
    ects: float | None = Field(None, ge=0, description="ECTS credits where applicable (25-30 h each)")


class Level(Model):
    eqf: int | None = Field(None, ge=1, le=8, description="European Qualifications Framework level 1-8")
    description: str | None = None


class Assessment(Model):
    type: str = Field(description="e.g. 'online quizzes, automatically scored'")
    supervised: bool = False
    identity_verified: bool = False


class EuropeanElements(Model):
    """The mandatory (and main optional) elements of the European approach to micro-credentials."""

    learning_outcomes: list[str] = Field(default_factory=list)
    workload: Workload | None = None
    level: Level | None = None
    assessment: Assessment | None = None
    participation: Literal["online", "onsite", "blended"] | None = None
    quality_assurance: str | None = None
    stackability: str | None = None


class Credential(Model):
    """A microcredential assembled from modules."""

    id: Id
    title: str
    summary: str = ""
    language: str = "en"
    version: str = Field("1.0.0", pattern=r"^\d+\.\d+(\.\d+)?$")
    issuer: Issuer | None = Field(None, description="defaults to the workspace issuer")
    required: list[Id] = Field(default_factory=list, description="modules every learner completes")
    electives: list[ElectiveGroup] = Field(default_factory=list)
    prerequisites: dict[Id, list[Id]] = Field(
        default_factory=dict, description="module id -> modules to pass first (a DAG)"
    )
    requires_credentials: list[Id] = Field(default_factory=list, description="credentials this one stacks on")
    criteria: Criteria | None = None
    skills: list[SkillAlignment] = Field(default_factory=list)
    european: EuropeanElements = Field(default_factory=EuropeanElements)

    @field_validator("required")
    @classmethod
    def _unique_required(cls, v: list[str]) -> list[str]:
        check_unique(v, "required module")
        return v

    @field_validator("electives")
    @classmethod
    def _unique_groups(cls, v: list[ElectiveGroup]) -> list[ElectiveGroup]:
        check_unique([g.id for g in v], "elective group")
        return v

    def module_ids(self) -> list[str]:
        """Required modules, then elective options, each once."""
        out: list[str] = list(self.required)
        for g in self.electives:
            out.extend(m for m in g.modules if m not in out)
        return out

    def prerequisite_cycle(self) -> list[str] | None:
        """A cycle in the prerequisites (``['a', 'b', 'a']``), or ``None`` when it is a DAG."""
        try:
            TopologicalSorter(self.prerequisites).prepare()
        except CycleError as e:
            return list(e.args[1])[::-1]
        return None

    def pathway(self) -> list[str]:
        """Modules in an order that respects the prerequisites; ties keep the listed order.

        Prerequisites that are not part of this credential are ignored here (lint reports them).
        """
        order = self.module_ids()
        rank = {m: i for i, m in enumerate(order)}
        deps = {m: {p for p in self.prerequisites.get(m, []) if p in rank and p != m} for m in order}
        if self.prerequisite_cycle():
            raise ValueError(
                f"credential '{self.id}' has a prerequisite cycle: {' -> '.join(self.prerequisite_cycle() or [])}"
            )
        ready = [rank[m] for m in order if not deps[m]]
        heapq.heapify(ready)
        out: list[str] = []
        while ready:
            m = order[heapq.heappop(ready)]
            out.append(m)
            for other in order:
                if m in deps[other]:
                    deps[other].discard(m)
                    if not deps[other]:
                        heapq.heappush(ready, rank[other])
        return out


__all__ = [
    "Assessment",
    "Credential",
    "Criteria",
    "ElectiveGroup",
    "EuropeanElements",
    "Issuer",
    "Level",
    "SkillAlignment",
    "Workload",
]
