"""How facts read in a report: the words rules/vocab_labels.yaml gives every value, kind and attribute
of the evidence contract (rules/vocab.yaml), in each report language.

A report in one language shows these words, never the internal values: `value_text` turns a closed
value (``sales_office``) into 售楼处, `fact_sentence` turns one evidence document into the sentence an
auditor reads. Values outside the closed sets (an API, a host, a quoted phrase) are shown as found.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from scanner.contract import AttrSpec, load_vocabulary
from scanner.yamldata import load_yaml

_BOOLEANS = {"zh": ("是", "否"), "en": ("yes", "no")}
_JOINERS = {"zh": "、", "en": ", "}


@cache
def vocab_labels() -> Mapping[str, Any]:
    path = Path(str(resources.files("rules"))) / "vocab_labels.yaml"
    return load_yaml(path.read_text(encoding="utf-8"))


def _lang(lang: str) -> str:
    return lang if lang in _BOOLEANS else "zh"


def _spec(kind: str, attr: str) -> AttrSpec | None:
    spec = load_vocabulary().kinds.get(kind)
    if spec is None:
        return None
    return spec.key if attr == "key" else spec.attrs.get(attr)


def closed_value(value_set: str, value: str, lang: str) -> str:
    """The word for one value of a named value set; the value itself when the set does not name it."""
    entry = (vocab_labels()["values"].get(value_set) or {}).get(value)
    return str(entry[_lang(lang)]) if entry else value


def value_text(kind: str, attr: str, value: Any, lang: str) -> str:
    """One attribute (or the key, attr "key") of a fact of `kind`, as a reader sees it."""
    lang = _lang(lang)
    if value is None:
        return ""
    if isinstance(value, bool):
        return _BOOLEANS[lang][0 if value else 1]
    spec = _spec(kind, attr)
    if isinstance(value, (list, tuple)):
        if len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
            return f"{value[0]}–{value[1]}"
        return _JOINERS[lang].join(value_text(kind, attr, v, lang) for v in value)
    if isinstance(value, Mapping):
        return _JOINERS[lang].join(f"{attr_name(k, lang)}：{value_text(kind, k, v, lang)}" for k, v in value.items())
    if spec is not None and spec.closed and spec.value_set and isinstance(value, str):
        return closed_value(spec.value_set, value, lang)
    return str(value)


def kind_name(kind: str, lang: str) -> str:
    entry = vocab_labels()["kinds"].get(kind)
    return str(entry[_lang(lang)]) if entry else kind


def attr_name(attr: str, lang: str) -> str:
    entry = vocab_labels()["attrs"].get(attr)
    return str(entry[_lang(lang)]) if entry else attr


def why(kind: str, lang: str) -> str:
    entry = (vocab_labels()["kinds"].get(kind) or {}).get("why")
    return str(entry[_lang(lang)]) if entry else ""


def is_internal(attr: str) -> bool:
    return attr in vocab_labels()["internal"]


class _Shown(dict):
    """Fills a sentence; a placeholder the fact has no value for reads as a dash."""

    def __missing__(self, key: str) -> str:
        return "—"


def fact_sentence(evidence: Mapping[str, Any], lang: str) -> str:
    """The sentence one evidence document reads as, e.g. 代码调用人脸接口 detectFaces，调用方 …"""
    kind = str(evidence.get("kind", ""))
    attrs = evidence.get("attrs") or {}
    entry = (vocab_labels()["kinds"].get(kind) or {}).get("fact")
    if not entry:
        shown = "；".join(f"{attr_name(k, lang)}：{value_text(kind, k, v, lang)}" for k, v in attrs.items()
                         if not is_internal(k))
        return f"{kind_name(kind, lang)} {evidence.get('key', '')}" + (f"（{shown}）" if shown else "")
    values = _Shown({name: value_text(kind, name, attrs.get(name), lang) or "—"
                     for _, name, _, _ in string.Formatter().parse(entry[_lang(lang)]) if name})
    values["key"] = value_text(kind, "key", evidence.get("key", ""), lang)
    return entry[_lang(lang)].format_map(values)
