"""The start-up and per-APK shortcuts of the APK source: they must change no result."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

from scanner.sources.apk import open_apk

PUBLIC_MODULE = "androguard.core.resources.public"


def test_shared_views_are_computed_once_per_opened_apk(fixture_apk) -> None:
    path = fixture_apk("facedoor")
    one, two = open_apk(path), open_apk(path)
    assert one.urls is one.urls and one.embedded_policies is one.embedded_policies
    assert one.urls == two.urls and one.urls is not two.urls  # each opened APK computes its own


def _original_public_table() -> dict:
    """SYSTEM_RESOURCES as androguard's own module builds it from public.xml."""
    spec = importlib.util.find_spec(PUBLIC_MODULE)
    assert spec is not None and spec.origin is not None
    original = importlib.util.spec_from_file_location("_androguard_public_original", spec.origin)
    module = importlib.util.module_from_spec(original)
    original.loader.exec_module(module)
    return module.SYSTEM_RESOURCES


def test_preloaded_public_resources_equal_androguards_own(fixture_apk) -> None:
    open_apk(fixture_apk("facedoor"))  # registers the JSON-built table before androguard imports it
    preloaded = sys.modules[PUBLIC_MODULE].SYSTEM_RESOURCES
    original = _original_public_table()
    assert preloaded == original
    assert preloaded["attributes"]["inverse"][0x0101014F] == "text"


def test_preload_leaves_an_already_imported_table_alone(fixture_apk) -> None:
    # In a fresh interpreter androguard imports its own module first; opening an APK keeps it.
    code = (
        "import sys; import androguard.core.resources.public as p; before = p;"
        "from pathlib import Path; from scanner.sources.apk import open_apk;"
        f"open_apk(Path({str(fixture_apk('facedoor'))!r}));"
        f"print(sys.modules[{PUBLIC_MODULE!r}] is before, hasattr(before, 'minidom'))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["True", "True"]


def test_layout_texts_and_label_unchanged_with_the_preloaded_table(fixture_apk) -> None:
    source = open_apk(fixture_apk("facedoor"))
    assert source.layout_texts  # layout attribute names are resolved through the table
    assert source.manifest.app_label and not source.manifest.app_label.startswith("@")


def test_scan_in_a_fresh_process_does_not_import_jsonschema_once_rules_are_known(tmp_path: Path, fixture_apk) -> None:
    apk = str(fixture_apk("facedoor"))
    code = (
        "import sys; from pathlib import Path; from scanner.pipeline import load_ruleset, scan_file;"
        f"t = scan_file(Path({apk!r}), load_ruleset()); print(len(t.results) > 0, 'jsonschema' in sys.modules)"
    )
    env = {"FANGCUN_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert first.stdout.split() == ["True", "True"]  # validated, then remembered
    assert second.stdout.split() == ["True", "False"]  # the same bytes are not validated again
