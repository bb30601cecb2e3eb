"""What an extractor is: a named, versioned function from an opened source to facts.

Extractors never judge. Each receives the opened source and the evidence stated so far by the
extractors before it (so derived facts, such as face.capture, can be stated last) and returns new
evidence. An exception inside an extractor is recorded as an error of the target and the rules that
require it become UNKNOWN; it never stops the scan.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from scanner.model import Evidence


@dataclass(frozen=True)
class ExtractorSpec:
    name: str
    version: int
    run: Callable[[Any, Sequence[Evidence]], Iterable[Evidence]]

    @property
    def label(self) -> str:
        return f"{self.name}@{self.version}"
