"""What an extractor is: a named, versioned function from an opened source to facts.

Extractors never judge. Each receives the opened source and the evidence stated so far by the
extractors before it (so derived facts, such as face.capture, can be stated last) and returns new
evidence. An extractor whose answer depends on the app's bytecode says so (needs_code): on a package
whose code cannot be read (packed), what it states is kept but it does not count as having run
cleanly, so absence of its facts proves nothing and the rules that read them say UNKNOWN. Each declares the evidence kinds it emits and the type of source it reads; the pipeline
checks every fact against rules/vocab.yaml (scanner.contract) before anything else sees it. An
exception inside an extractor, or a fact that breaks the contract, is recorded as an error of the
target and the rules that require the extractor become UNKNOWN; it never stops the scan.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from scanner.model import Evidence

SourceT = TypeVar("SourceT")


@dataclass(frozen=True)
class ExtractorSpec(Generic[SourceT]):
    name: str
    version: int
    run: Callable[[SourceT, Sequence[Evidence]], Iterable[Evidence]]
    emits: frozenset[str]  # evidence kinds, each listing this extractor under emitted_by in vocab.yaml
    reads: type  # the source it is given (ApkSource, PolicySource, SiteSource, CompanySites, or object)
    consumes: frozenset[str] = frozenset()  # kinds stated by earlier extractors that it derives its facts from
    needs_code: bool = False  # its answer depends on the app's bytecode (or on facts read from it)

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"
