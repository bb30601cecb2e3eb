"""Facts stated by a company's captured pages: face-capture notices, door-access rules, personal-data
forms, app downloads and privacy policies.

Every fact points at the captured final URL, the capture time and the body hash, with the sentence
as a redacted snippet. Only visible text counts (no <script>/<style>/hidden elements), and a phrase
preceded by a negation cue in its clause ("本售楼处不采集人脸信息") is not a fact. Phrases live in
rules/lexicon/web_zh.yaml.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml
from bs4 import BeautifulSoup, NavigableString, Tag

from scanner.errors import InputError, RuleLoadError
from scanner.extractors.base import ExtractorSpec
from scanner.extractors.policy_nlp import analyse_policy_text
from scanner.extractors.text_utils import clause_start, phrase_regex, snippet
from scanner.model import Evidence, Location
from scanner.nlp.text import detect_language
from scanner.sources.policy import (
    decode_document,
    pdf_text,
    soup_text,
    stripped_text,
    too_deeply_nested,
    visible_soup,
)
from scanner.sources.web import CapturedPage, SiteSource
from scanner.yamldata import load_yaml

NAME = "page_text"
VERSION = 1
EXTRACTOR = f"{NAME}@{VERSION}"
LEXICON_PATH = Path(__file__).resolve().parents[2] / "rules" / "lexicon" / "web_zh.yaml"
PURPOSE_WINDOW = (1, 2)  # sentences before / after a capture sentence that may state its purpose
TITLE_CHARS = 200

# A notice's purpose, as the face.capture vocabulary names it.
CAPTURE_PURPOSE = {
    "access_control": "access_control",
    "security": "security",
    "customer_identification": "identity",
    "channel_attribution": "marketing",
    "commission": "marketing",
    "marketing": "marketing",
    "unknown": "unknown",
}
_REQUIRED_SECTIONS = ("policy_titles", "face_capture", "places", "purposes", "signage",
                      "access_control", "face_only", "alternatives", "audiences", "negation", "not_negation",
                      "clause_breaks", "form_fields", "policy_link", "app_download")


@functools.cache
def web_lexicon() -> Mapping[str, Any]:
    """The raw phrase lists."""
    try:
        data = load_yaml(LEXICON_PATH.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RuleLoadError(f"{LEXICON_PATH}: {exc}") from exc
    missing = [k for k in _REQUIRED_SECTIONS if not isinstance(data, dict) or k not in data]
    if missing:
        raise RuleLoadError(f"{LEXICON_PATH}: missing sections {', '.join(missing)}")
    return data


@dataclass(frozen=True)
class Matchers:
    face: re.Pattern[str]
    places: Mapping[str, re.Pattern[str]]
    purposes: Mapping[str, re.Pattern[str]]
    signage: re.Pattern[str]
    access: re.Pattern[str]
    face_only: re.Pattern[str]
    alternatives: Mapping[str, re.Pattern[str]]
    audiences: Mapping[str, re.Pattern[str]]
    negation: re.Pattern[str]
    not_negation: re.Pattern[str]
    clause_breaks: str
    fields: Mapping[str, re.Pattern[str]]
    policy_link: re.Pattern[str]
    app_download: re.Pattern[str]
    policy_title: re.Pattern[str]


@functools.cache
def matchers() -> Matchers:
    lex = web_lexicon()

    def group(section: str) -> dict[str, re.Pattern[str]]:
        return {name: phrase_regex(terms) for name, terms in lex[section].items()}

    return Matchers(
        face=phrase_regex(lex["face_capture"]), places=group("places"), purposes=group("purposes"),
        signage=phrase_regex(lex["signage"]), access=phrase_regex(lex["access_control"]),
        face_only=phrase_regex(lex["face_only"]), alternatives=group("alternatives"),
        audiences=group("audiences"), negation=phrase_regex(lex["negation"]),
        not_negation=phrase_regex(lex["not_negation"]), clause_breaks=lex["clause_breaks"],
        fields=group("form_fields"), policy_link=phrase_regex(lex["policy_link"]),
        app_download=phrase_regex(lex["app_download"]), policy_title=phrase_regex(lex["policy_titles"]),
    )


# ———————————————————————————— sentences and negation ————————————————————————————

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def is_negated(sentence: str, position: int, m: Matchers) -> bool:
    """A negation cue earlier in the same clause (within NEGATION_REACH characters), once condition
    frames (未经…, 不同意…) are masked."""
    start = clause_start(sentence, position, m.clause_breaks)
    clause = m.not_negation.sub(lambda x: " " * len(x.group(0)), sentence[start:position])
    return m.negation.search(clause) is not None


def affirmed(pattern: re.Pattern[str], sentence: str, m: Matchers) -> Iterator[str]:
    """The phrases of `pattern` in `sentence` that no negation cue cancels, in order (lazily: most
    callers only ask whether there is one)."""
    return (x.group(0) for x in pattern.finditer(sentence) if not is_negated(sentence, x.start(), m))


def states(pattern: re.Pattern[str], sentence: str, m: Matchers) -> bool:
    """Whether `sentence` holds a phrase of `pattern` that no negation cue cancels."""
    return next(affirmed(pattern, sentence, m), None) is not None


def first_group(groups: Mapping[str, re.Pattern[str]], text: str, m: Matchers) -> str:
    return next((name for name, rx in groups.items() if states(rx, text, m)), "")


# ———————————————————————————— per page ————————————————————————————


@dataclass(frozen=True)
class PageView:
    """A page as the extractor reads it: visible text, its sentences, and the HTML when there is some."""

    page: CapturedPage
    title: str
    text: str
    sentences: tuple[str, ...]
    soup: BeautifulSoup | None

    def location(self, sentence: str) -> Location:
        return Location(self.page.final_url, self.page.logical, snippet(sentence))


def read_page(page: CapturedPage) -> PageView:
    """The page as a reader sees it; InputError when its bytes are no text (binary, scanned PDF)."""
    body = page.body
    if page.is_pdf:
        text = pdf_text(body, page.final_url)
        return PageView(page, text.strip()[:TITLE_CHARS].split("\n", 1)[0], text, tuple(sentences(text)), None)
    markup, _ = decode_document(body, uri=page.final_url, content_type=page.content_type)
    if too_deeply_nested(markup):  # a hostile or broken page: its words, without forms or links
        text = stripped_text(markup)
        return PageView(page, text[:TITLE_CHARS].split("\n", 1)[0], text, tuple(sentences(text)), None)
    soup, page_title = visible_soup(markup)
    first_heading = soup.find("h1")
    title = " ".join(t for t in (page_title, first_heading.get_text(" ", strip=True) if first_heading else "") if t)
    # form labels ("人脸照片") name fields, they state nothing: forms are read as forms, not as text
    prose = copy.copy(soup)
    for form in prose.find_all("form"):
        form.decompose()
    text = soup_text(prose)  # works on the copy: the forms and links of `soup` stay as they were
    return PageView(page, title, text, tuple(sentences(text)), soup)


def without_places(sentence: str, m: Matchers) -> str:
    """The sentence with place names blanked, so 营销中心 (a place) never reads as 营销 (a purpose)."""
    for rx in m.places.values():
        sentence = rx.sub(lambda x: " " * len(x.group(0)), sentence)
    return sentence


def face_notices(view: PageView, m: Matchers) -> Iterator[Evidence]:
    """web.face_capture_notice and face.capture, one per (place, purpose) a page admits."""
    page_place = first_group(m.places, view.title, m) or first_group(m.places, view.text, m) or "other"
    signage = any(states(m.signage, s, m) for s in view.sentences)
    stated: set[tuple[str, str]] = set()
    for i, sentence in enumerate(view.sentences):
        if not states(m.face, sentence, m):
            continue
        place = first_group(m.places, sentence, m) or page_place
        lo, hi = max(0, i - PURPOSE_WINDOW[0]), i + PURPOSE_WINDOW[1] + 1
        window = [sentence, *view.sentences[lo:i], *view.sentences[i + 1:hi]]  # its own words first
        blanked = [(s, without_places(s, m)) for s in window]
        found = [(name, s) for s, words in blanked for name, rx in m.purposes.items() if states(rx, words, m)]
        for purpose, said in found or [("unknown", sentence)]:
            if (place, purpose) in stated:
                continue
            stated.add((place, purpose))
            location = view.location(sentence if said == sentence else f"{sentence} {said}")
            yield Evidence("web.face_capture_notice", place,
                           {"place": place, "purpose": purpose, "signage": signage}, location, EXTRACTOR)
            yield Evidence("face.capture", CAPTURE_PURPOSE[purpose],
                           {"purpose": CAPTURE_PURPOSE[purpose], "basis": ["page_notice"], "place": place,
                            "notice_purpose": purpose}, location, EXTRACTOR)


def access_rules(view: PageView, m: Matchers) -> Iterator[Evidence]:
    """context.access_control and access.alternative_method from community door notices."""
    community = first_group(m.places, view.title, m) == "community" or bool(
        m.places["community"].search(view.text))
    face_only = next(((s, p) for s in view.sentences for p in affirmed(m.face_only, s, m)), None)
    door = next(((s, p) for s in view.sentences for p in affirmed(m.access, s, m)), None)
    if not (community and door) and not face_only:
        return
    sentence, phrase = face_only or door  # type: ignore[misc]  # one of them is set here
    yield Evidence("context.access_control", phrase, {"phrase": phrase, "face_only": face_only is not None},
                   view.location(sentence), EXTRACTOR)
    seen: set[tuple[str, str]] = set()
    for s in view.sentences:
        for method, rx in m.alternatives.items():
            if not states(rx, s, m):
                continue
            audience = first_group(m.audiences, s, m) or "all"
            if (method, audience) not in seen:
                seen.add((method, audience))
                yield Evidence("access.alternative_method", method, {"method": method, "for": audience},
                               view.location(s), EXTRACTOR)


_CAMEL = re.compile(r"([a-z])([A-Z])")


def attribute_text(tag: Tag, name: str) -> str:
    """An attribute's value as text; multi-valued attributes (class) come back space-joined."""
    value = tag.get(name)
    if value is None:
        return ""
    return value if isinstance(value, str) else " ".join(value)
FIELD_TAGS = ("input", "select", "textarea")


class FormReader:
    """The words around the fields of one form, gathered in one pass over it: a form of tens of
    thousands of fields must not make each field search the whole form for its label or text."""

    def __init__(self, form: Tag) -> None:
        self.labels_by_target: dict[str, Tag] = {}
        for label in form.find_all("label"):
            self.labels_by_target.setdefault(str(label.get("for", "")), label)
        self.text_before: dict[int, str] = {}  # id(field) → the last non-blank text before it in the form
        last = ""
        for element in form.descendants:
            if isinstance(element, NavigableString):
                last = element.strip() or last
            elif isinstance(element, Tag) and element.name in FIELD_TAGS:
                self.text_before[id(element)] = last
        self._label_texts: dict[int, str] = {}

    def label_text(self, label: Tag) -> str:
        if id(label) not in self._label_texts:  # one label may enclose many fields
            self._label_texts[id(label)] = label.get_text(" ", strip=True)
        return self._label_texts[id(label)]

    def field_words(self, field: Tag) -> tuple[str, str]:
        """(everything that names a form field, the name a visitor sees): attributes, <label>, text before it."""
        attributes = [str(field.get(a, "")) for a in ("name", "id", "placeholder", "aria-label", "title", "accept")]
        labels = []
        label = self.labels_by_target.get(str(field.get("id"))) if field.get("id") else None
        if label:
            labels.append(self.label_text(label))
        enclosing = field.find_parent("label")
        if enclosing:
            labels.append(self.label_text(enclosing))
        before = self.text_before.get(id(field), "")
        if not labels and before:
            labels.append(before)
        shown = labels[0] if labels else str(field.get("placeholder") or field.get("name") or "")
        return _CAMEL.sub(r"\1 \2", " ".join(attributes + labels)), shown


def personal_data_forms(view: PageView, m: Matchers) -> Iterator[Evidence]:
    if view.soup is None:
        return
    page_https = view.page.final_url.lower().startswith("https://")
    links_near: dict[int, bool] = {}  # id(parent) → a policy link among its links; many forms may share one parent
    for form in view.soup.find_all("form"):
        fields: set[str] = set()
        names: list[str] = []
        reader = FormReader(form)
        for field in form.find_all(FIELD_TAGS):
            field_type = attribute_text(field, "type").lower()
            if field_type in ("submit", "button", "reset", "hidden", "checkbox", "radio"):
                continue
            words, shown = reader.field_words(field)
            matched = {name for name, rx in m.fields.items() if rx.search(words)}
            if field_type == "tel":
                matched.add("phone")
            fields |= matched
            if matched:
                names.append(shown)
        if not fields:
            continue
        action = urljoin(view.page.final_url, attribute_text(form, "action"))
        near = form.get_text(" ", strip=True) + " " + " ".join(a.get_text(" ", strip=True) for a in form.find_all("a"))
        parent = form.parent
        if parent is not None and id(parent) not in links_near:
            links_near[id(parent)] = any(m.policy_link.search(a.get_text(" ", strip=True)) for a in parent.find_all("a"))
        policy_link = bool(m.policy_link.search(near)) or bool(parent is not None and links_near[id(parent)])
        yield Evidence(
            "web.personal_data_form", action,
            {"fields": sorted(fields), "https": page_https, "action_https": action.lower().startswith("https://"),
             "policy_link": policy_link},
            view.location("表单字段：" + "、".join(names)), EXTRACTOR)


def app_downloads(view: PageView, m: Matchers) -> Iterator[Evidence]:
    if view.soup is None:
        return
    seen: set[str] = set()
    for link in view.soup.find_all("a", href=True):
        url = urljoin(view.page.final_url, attribute_text(link, "href"))
        label = link.get_text(" ", strip=True)
        if url in seen or not (urlsplit(url).path.lower().endswith(".apk") or m.app_download.search(label)):
            continue
        seen.add(url)
        yield Evidence("web.app_download", url, {"url": url, "label": label},
                       view.location(label or url), EXTRACTOR)


def policy_documents(view: PageView, m: Matchers) -> Iterator[Evidence]:
    if not m.policy_title.search(view.title or view.text[:TITLE_CHARS]):
        return
    attrs: dict[str, Any] = {"source": "page", "language": detect_language(view.text), "chars": len(view.text),
                             "document": "pdf" if view.page.is_pdf else "html", "analysed": True,
                             "policy_like": True}  # found by its policy title
    found = analyse_policy_text(view.text, uri=view.page.final_url, logical=view.page.logical, language=attrs["language"])
    # the analyser states its own policy.document; this page's document (below) carries the page's facts
    facts = [ev for ev in found if ev.kind != "policy.document"]
    yield Evidence("policy.document", view.page.final_url, attrs, view.location(view.title or view.text),
                   EXTRACTOR)
    yield from facts


PAGE_FACTS = (face_notices, access_rules, personal_data_forms, app_downloads, policy_documents)


def page_facts(page: CapturedPage) -> list[Evidence]:
    view = read_page(page)
    m = matchers()
    return [ev for facts in PAGE_FACTS for ev in facts(view, m)]


def run(site: SiteSource, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    """Facts from every captured page; a page that cannot be read is skipped with its reason kept."""
    for page in site.pages:
        try:
            yield from page_facts(page)
        except (InputError, ValueError):
            continue  # a binary body, a scanned PDF or a lost WARC record states no fact; the other pages still do


EMITS = frozenset({"web.face_capture_notice", "face.capture", "context.access_control", "access.alternative_method",
                   "web.personal_data_form", "web.app_download", "policy.document", "policy.discloses",
                   "policy.checklist"})
PAGE_EXTRACTORS = (ExtractorSpec(NAME, VERSION, run, emits=EMITS, reads=SiteSource),)
