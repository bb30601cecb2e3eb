"""Which room of the code imports which: a table of import edges between the project's packages.

    python bench/import_graph.py            # rooms: scanner.<subpackage or module>, reports, spiders, rules
    python bench/import_graph.py --modules  # every module-to-module edge

Static: the imports written in the source (module level and inside functions), read with `ast`, so
it runs without importing anything. The allowed picture is drawn in docs/architecture.md and held by
tests/unit/test_architecture.py.
"""

from __future__ import annotations

import argparse
import ast
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("scanner", "reports", "spiders", "rules")


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            parts = path.relative_to(REPO).with_suffix("").parts
            name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
            found[name] = path
    return found


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for target in targets:
            while target and target not in known:
                target = target.rpartition(".")[0]
            if target and target != name:
                out.add(target)
    return out


def room(module: str) -> str:
    parts = module.split(".")
    if parts[0] != "scanner" or len(parts) == 1:
        return parts[0]
    return ".".join(parts[:2])


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def room_edges(edges: dict[str, set[str]]) -> dict[str, set[str]]:
    rooms: dict[str, set[str]] = defaultdict(set)
    for source, targets in edges.items():
        for target in targets:
            if room(source) != room(target):
                rooms[room(source)].add(room(target))
        rooms.setdefault(room(source), set())
    return rooms


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--modules", action="store_true", help="module-level edges")
    args = parser.parse_args()
    edges = graph()
    if args.modules:
        for source in sorted(edges):
            print(f"{source} -> {', '.join(sorted(edges[source])) or '-'}")
        return
    rooms = room_edges(edges)
    width = max(map(len, rooms))
    print(f"{len(edges)} modules in {len(rooms)} rooms")
    for source in sorted(rooms):
        print(f"{source:{width}} -> {', '.join(sorted(rooms[source])) or '-'}")


if __name__ == "__main__":
    main()
