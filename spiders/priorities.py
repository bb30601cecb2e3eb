"""The crawler's own cue list: which links to follow first (rules/lexicon/crawl_zh.yaml).

Kept apart from the page extractor's lexicon so the spider process never imports the text analysis
(spaCy, jieba) it does not use.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

LEXICON = "crawl_zh.yaml"


@dataclass(frozen=True)
class LinkPriorities:
    anchor: tuple[str, ...]  # lower-case words of a link's text
    href: tuple[str, ...]  # lower-case parts of a link's URL

    def wanted(self, text: str, url: str) -> bool:
        text, url = text.lower(), url.lower()
        return any(t in text for t in self.anchor) or any(t in url for t in self.href)


@cache
def link_priorities() -> LinkPriorities:
    data = yaml.safe_load((resources.files("rules") / "lexicon" / LEXICON).read_text(encoding="utf-8"))
    return LinkPriorities(tuple(t.lower() for t in data["anchor"]), tuple(t.lower() for t in data["href"]))
