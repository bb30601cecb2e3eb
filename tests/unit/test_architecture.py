"""The rooms of the code import only what docs/architecture.md allows (the graph bench/import_graph.py prints)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("import_graph", REPO / "bench" / "import_graph.py")
assert _spec and _spec.loader
import_graph = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(import_graph)

BASE = {"scanner.model", "scanner.errors", "scanner.yamldata"}
ALLOWED = {
    "scanner.model": set(), "scanner.errors": set(), "scanner.yamldata": set(), "rules": set(),
    "scanner": set(),
    "scanner.schemas": {"scanner.errors"},
    "scanner.documents": {"scanner.model"},
    "scanner.contract": BASE | {"scanner.schemas"},
    "scanner.signatures": BASE | {"scanner.schemas"},
    "scanner.nlp": BASE,
    "scanner.sources": BASE | {"scanner.nlp", "scanner.signatures"},
    "scanner.extractors": BASE | {"scanner.sources", "scanner.nlp", "scanner.signatures", "scanner.contract"},
    "scanner.engine": BASE | {"scanner.contract", "scanner.schemas", "scanner.extractors", "scanner.sources"},
    "scanner.pipeline": BASE | {"scanner", "scanner.extractors", "scanner.engine", "scanner.sources", "scanner.contract",
                                "scanner.signatures"},
    "scanner.campaign": BASE | {"scanner", "scanner.pipeline", "scanner.engine", "scanner.extractors", "scanner.sources",
                                "scanner.documents", "scanner.contract"},
    "reports": {"scanner.documents", "scanner.model", "scanner.errors"},
    "spiders": set(),
}


def test_rooms_import_only_what_the_architecture_allows() -> None:
    rooms = import_graph.room_edges(import_graph.graph())
    unknown = sorted(set(rooms) - set(ALLOWED) - {"scanner.cli"})
    assert not unknown, f"rooms docs/architecture.md does not place: {unknown}"
    wrong = {room: sorted(targets - ALLOWED[room]) for room, targets in rooms.items()
             if room != "scanner.cli" and targets - ALLOWED[room]}
    assert not wrong, f"imports the architecture does not allow: {wrong}"


def test_the_scanner_top_level_holds_only_the_core() -> None:
    top = sorted(p.stem for p in (REPO / "scanner").glob("*.py"))
    assert top == ["__init__", "cli", "contract", "documents", "errors", "model", "pipeline", "schemas", "yamldata"]
    packages = sorted(p.parent.name for p in (REPO / "scanner").glob("*/__init__.py"))
    assert packages == ["campaign", "engine", "extractors", "nlp", "signatures", "sources"]


def test_the_graph_sees_real_edges() -> None:
    """The checker itself: it finds an edge that is there, so an empty result above means something."""
    edges = import_graph.graph()
    assert "scanner.model" in edges["scanner.pipeline"] and "scanner.campaign.store" in edges["scanner.campaign.batch"]
