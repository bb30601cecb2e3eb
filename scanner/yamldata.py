"""YAML as data: PyYAML's libyaml parser where it is built in (ten times faster), else the Python one.

Rules, signatures and lexicons are read at the start of every scan process, so this is start-up time.
"""

from __future__ import annotations

from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(text: str) -> Any:
    """Parse YAML text safely (no object construction); raises yaml.YAMLError on bad input."""
    return yaml.load(text, Loader=_LOADER)  # noqa: S506 — a safe loader, C or Python
