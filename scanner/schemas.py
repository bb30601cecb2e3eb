"""JSON-Schema validation of the shipped data files (rules, cases, signatures, lexicons).

Validating the rule pack and the signature files costs ~50 ms (jsonschema's import included) at the
start of every scan, for files that rarely change. A file that passed is remembered by an empty mark
file named by the SHA-256 of the schema text and the file's text, so a mark can only ever vouch for
exactly the bytes that were validated: any edit to either makes a new name.
"""

from __future__ import annotations

import hashlib
import json
import os
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.errors import RuleLoadError

if TYPE_CHECKING:
    import jsonschema

CACHE_DIR_ENV = "FANGCUN_CACHE_DIR"  # where validation marks are kept; set empty to keep none
_VALIDATION_MARK_FORMAT = b"fangcun-schema-valid-1"


@cache
def schema_text(schema_path: Path) -> str:
    return schema_path.read_text(encoding="utf-8")


@cache
def _validator(schema_path: Path) -> jsonschema.protocols.Validator:
    """One validator per schema: building it resolves the schema's references, for every file again."""
    import jsonschema  # ~30 ms to import: only when a file is not known to be valid already

    schema = json.loads(schema_text(schema_path))
    return jsonschema.validators.validator_for(schema)(schema)


def validate(schema_path: Path, document: Any, path: Path) -> None:
    """RuleLoadError naming `path` and the place of the first problem, if `document` is invalid."""
    errors = sorted(_validator(schema_path).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.absolute_path) or "(top level)"
        raise RuleLoadError(f"{path}: {where}: {first.message}")


def validate_text(schema_path: Path, text: str, document: Any, path: Path) -> None:
    """validate() the document parsed from `text`, unless exactly these bytes passed before."""
    mark = validation_mark(schema_text(schema_path), text)
    if mark is not None and mark.is_file():
        return
    validate(schema_path, document, path)
    _remember(mark)


def _cache_dir() -> Path | None:
    configured = os.environ.get(CACHE_DIR_ENV)
    if configured is not None:
        return Path(configured) / "schema-valid" if configured else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fangcun" / "schema-valid"


def validation_mark(schema: str, document_text: str) -> Path | None:
    """The mark file that stands for "this document text is valid against this schema text"."""
    folder = _cache_dir()
    if folder is None:
        return None
    digest = hashlib.sha256()
    for part in (_VALIDATION_MARK_FORMAT, schema.encode("utf-8"), document_text.encode("utf-8")):
        digest.update(len(part).to_bytes(8, "big") + part)
    return folder / digest.hexdigest()


def _remember(mark: Path | None) -> None:
    """Remember a validated file; a cache that cannot be written only costs the next run time."""
    if mark is None:
        return
    try:
        mark.parent.mkdir(parents=True, exist_ok=True)
        mark.touch()
    except OSError:
        pass
