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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import yaml
from bs4 import BeautifulSoup, NavigableString, Tag

from scanner.errors import InputError, RuleLoadError
from scanner.extractors.base import ExtractorSpec
from scanner.extractors.policy_nlp import analyse_policy_text
from scanner.extractors.text_utils import NEGATION_REACH, clause_start, phrase_regex, snippet
from scanner.model import Evidence, Location
from scanner.nlp.clauses import (
    NoticeClause,
    notice_audiences,
    notice_clause_index,
    notice_clauses,
    notice_opens_with,
    notice_phrases_outside,
    notice_purpose_clauses,
    notice_withdrawn,
)
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
PURPOSE_AFTER = 2  # sentences after a capture sentence that may state its purpose, each opening with a tie
TITLE_CHARS = 200
RELATIVE_REACH = 8  # characters from a negation cue to the 的 of the relative clause it opens

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
# The purposes only a property sales office has (who the customer is, which agent brought them, who is paid)
SALES_PURPOSES = frozenset({"customer_identification", "channel_attribution", "commission"})
_REQUIRED_SECTIONS = ("policy_titles", "face_capture", "places", "purposes", "signage",
                      "access_control", "face_only", "alternatives", "audiences", "negation", "not_negation",
                      "clause_breaks", "form_fields", "policy_link", "app_download", "purpose_frames", "frame_lead",
                      "purpose_ties", "face_data", "retention", "not_stated", "vehicle_access", "beneficiary",
                      "withdrawn_before", "withdrawn_after", "negation_ends", "relative_heads", "relative_cues",
                      "not_purposes", "surveillance")


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
    frames: re.Pattern[str]
    frame_lead: str
    ties: re.Pattern[str]
    face_data: re.Pattern[str]
    retention: re.Pattern[str]
    not_stated: re.Pattern[str]
    vehicle: re.Pattern[str]
    beneficiary: re.Pattern[str]
    withdrawn_before: re.Pattern[str]
    withdrawn_after: re.Pattern[str]
    negation_ends: re.Pattern[str]
    relative: re.Pattern[str]
    relative_cues: frozenset[str]
    not_purposes: re.Pattern[str]
    surveillance: re.Pattern[str]


@functools.cache
def matchers() -> Matchers:
    lex = web_lexicon()

    def group(section: str) -> dict[str, re.Pattern[str]]:
        return {name: phrase_regex(terms) for name, terms in lex[section].items()}

    return Matchers(
        face=re.compile("|".join([phrase_regex(lex["face_capture"]).pattern,
                                  *(f"(?:{frame})" for frame in lex.get("face_capture_frames") or ())]), re.IGNORECASE),
        places=group("places"), purposes=group("purposes"),
        signage=phrase_regex(lex["signage"]), access=phrase_regex(lex["access_control"]),
        face_only=phrase_regex(lex["face_only"]), alternatives=group("alternatives"),
        audiences=group("audiences"), negation=phrase_regex(lex["negation"]),
        not_negation=phrase_regex(lex["not_negation"]), clause_breaks=lex["clause_breaks"],
        fields=group("form_fields"), policy_link=phrase_regex(lex["policy_link"]),
        app_download=phrase_regex(lex["app_download"]), policy_title=phrase_regex(lex["policy_titles"]),
        frames=phrase_regex(lex["purpose_frames"]), frame_lead=lex["frame_lead"], ties=phrase_regex(lex["purpose_ties"]),
        face_data=phrase_regex(lex["face_data"]), retention=phrase_regex(lex["retention"]),
        not_stated=phrase_regex(lex["not_stated"]), vehicle=phrase_regex(lex["vehicle_access"]),
        beneficiary=phrase_regex(lex["beneficiary"]), withdrawn_before=phrase_regex(lex["withdrawn_before"]),
        withdrawn_after=phrase_regex(lex["withdrawn_after"]), negation_ends=phrase_regex(lex["negation_ends"]),
        relative=phrase_regex("的" + head for head in lex["relative_heads"]),
        relative_cues=frozenset(lex["relative_cues"]), not_purposes=phrase_regex(lex["not_purposes"]),
        surveillance=phrase_regex(lex["surveillance"]),
    )


# ———————————————————————————— sentences and negation ————————————————————————————

_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|\n")


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def is_negated(sentence: str, position: int, m: Matchers) -> bool:
    """A negation cue earlier in the same clause (within NEGATION_REACH characters), once condition
    frames (未经…, 不同意…) are masked. A cue before 不影响 is undone by it (不录入人脸不影响使用门禁卡), and
    a cue of state (未, 没有) opening a short relative clause on a person (未录入的住户继续刷卡, 尚未录入人脸的
    业主) says who, it denies nothing; a denial (不会采集…的用户的人脸) still denies."""
    start = clause_start(sentence, position, m.clause_breaks)
    before = sentence[start:position]
    undone = max((x.end() for x in m.negation_ends.finditer(before)), default=0)
    clause = m.not_negation.sub(lambda x: " " * len(x.group(0)), before)[undone:]
    cues = list(m.negation.finditer(clause))
    if not cues:
        return False
    cue = cues[-1]  # the nearest one
    if cue.group(0) not in m.relative_cues:
        return True
    after = start + undone + cue.end()  # the relative clause is short: 未录入的住户, 尚未录入人脸的业主
    stop = min(after + RELATIVE_REACH, position + NEGATION_REACH)
    end = min((i for i in (sentence.find(ch, after, stop) for ch in m.clause_breaks) if i >= 0), default=stop)
    return m.relative.search(sentence, after, end) is None


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


def blank(pattern: re.Pattern[str], text: str) -> str:
    """The text with every phrase of `pattern` blanked, offsets kept."""
    return pattern.sub(lambda x: " " * len(x.group(0)), text)


def live(m: Matchers) -> Callable[[str, int], bool]:
    return lambda text, position: not is_negated(text, position, m)


def clause_purposes(text: str, m: Matchers) -> list[str]:
    """The purposes one clause names, in order; a purpose word inside a longer place name (营销 of 营销中心)
    is the place, not a purpose."""
    return notice_phrases_outside(text, m.purposes, [*m.places.values(), m.not_purposes], live(m))


def captures(sentence: str, clauses: Sequence[NoticeClause], m: Matchers) -> list[int]:
    """The clauses of a sentence that state a face capture. None when the sentence asks (ends in ？),
    proposes or reports a rumour (拟, 征求意见, 网传), and not a clause that only keeps or deletes face
    data (人脸信息保存30天后删除)."""
    if sentence.rstrip().endswith(("？", "?")) or m.not_stated.search(sentence):
        return []
    found = []
    for i, clause in enumerate(clauses):
        words = list(affirmed(m.face, clause.text, m))
        kept = m.retention.search(clause.text) is not None
        if any(not (kept and m.face_data.fullmatch(w)) for w in words):
            found.append(i)
    return found


def sentence_purposes(clauses: Sequence[NoticeClause], anchors: Sequence[int], m: Matchers) -> list[str]:
    """Why faces are taken, as one sentence says: from the anchor clauses (the capture) and the clauses
    joined to them by a purpose frame; failing those, from the sentence's other clauses that offer no
    way through (刷脸为主，刷卡为辅 is about doors; 小区门禁请刷卡 beside a sales-office camera is not
    that camera's purpose), unless the capture is a camera's (see filmed)."""
    # a clause naming the camera or its pictures (抓拍结果用于…) speaks of the capture too
    anchors = sorted({*anchors, *(i for i, c in enumerate(clauses) if m.surveillance.search(c.text))})
    chosen = notice_purpose_clauses(clauses, anchors, m.frames, m.frame_lead, m.ties)
    found = [p for i in chosen for p in clause_purposes(clauses[i].text, m)]
    if not found and not filmed(clauses, anchors, m):
        rest = [c for i, c in enumerate(clauses) if i not in chosen
                and not any(rx.search(c.text) for rx in m.alternatives.values())]
        found = [p for c in rest for p in clause_purposes(c.text, m)]
    return list(dict.fromkeys(found))


def filmed(clauses: Sequence[NoticeClause], anchors: Sequence[int], m: Matchers) -> bool:
    """Whether the capture is a camera's (人脸抓拍摄像机, 监控): then only the capture's own clauses and their
    purpose frames say why, and a door named beside it (出入口监控具备人脸抓拍功能，门禁照常使用) is no reason."""
    return any(m.surveillance.search(clauses[i].text) for i in anchors)


def notice_place(sentence: str, page_places: tuple[str, str], m: Matchers) -> str:
    """Where a capture sentence's faces are taken: a place it names, else the page title's, else a
    community when the sentence is about a door (人脸识别成功，门已打开), else a place the page names."""
    title_place, text_place = page_places
    return (first_group(m.places, sentence, m) or title_place
            or ("community" if states(m.access, blank(m.vehicle, sentence), m) else "") or text_place or "other")


def face_notices(view: PageView, m: Matchers) -> Iterator[Evidence]:
    """web.face_capture_notice and face.capture, one per (place, purpose) a page admits. The purpose is
    the capture sentence's own; a following sentence lends its purpose only when that sentence opens
    with a tie back to the capture (这些摄像头…, 上述信息…, 用于…)."""
    signage = any(states(m.signage, s, m) for s in view.sentences)
    page_places: tuple[str, str] | None = None  # (the title's, the text's), read once, when a capture is found
    stated: dict[tuple[str, str], Location] = {}  # (place, purpose) → where the page first says it
    for i, sentence in enumerate(view.sentences):
        if m.face.search(sentence) is None:  # most sentences of a page: no clause work for them
            continue
        clauses = notice_clauses(sentence, m.clause_breaks)
        anchors = captures(sentence, clauses, m)
        if not anchors:
            continue
        if page_places is None:
            page_places = (first_group(m.places, view.title, m), first_group(m.places, view.text, m))
        place = notice_place(sentence, page_places, m)
        found = [(p, sentence) for p in sentence_purposes(clauses, anchors, m)]
        for said in view.sentences[i + 1:i + 1 + PURPOSE_AFTER]:
            if found or not notice_opens_with(said, m.ties, m.frame_lead):
                break
            tied = notice_clauses(said, m.clause_breaks)
            found = [(p, said) for p in sentence_purposes(tied, [0], m)]
        if place == "other" and found and all(p in SALES_PURPOSES for p, _ in found):
            place = "sales_office"  # customers told apart, agents credited, commissions paid: a sales office's
        if not found and place == "community" and not filmed(clauses, anchors, m) and about_doors(sentence, m):
            found = [("access_control", sentence)]  # faces at a community's door, no other reason given
        for purpose, said in found or [("unknown", sentence)]:
            if (place, purpose) not in stated:
                stated[place, purpose] = view.location(sentence if said == sentence else f"{sentence} {said}")
    for (place, purpose), location in stated.items():
        if purpose == "unknown" and any(p == place and q != "unknown" for p, q in stated):
            continue  # the page says elsewhere why it takes faces at this place
        yield Evidence("web.face_capture_notice", place,
                       {"place": place, "purpose": purpose, "signage": signage}, location, EXTRACTOR)
        yield Evidence("face.capture", CAPTURE_PURPOSE[purpose],
                       {"purpose": CAPTURE_PURPOSE[purpose], "basis": ["page_notice"], "place": place,
                        "notice_purpose": purpose}, location, EXTRACTOR)


@dataclass(frozen=True)
class WayThrough:
    """A non-face way through one sentence names: its method, who it is for, and whether it is withdrawn."""

    method: str
    audience: str
    withdrawn: bool
    clause: NoticeClause


def ways_through(sentence: str, m: Matchers) -> list[WayThrough]:
    """The ways through a sentence names that no negation cancels, each with its clause's audience. A way
    withdrawn in one clause is withdrawn where the sentence named it before, for the same people or for no
    one in particular (因门卡丢失率高，门禁卡停止使用: the card of the first clause is the withdrawn one); one
    named after the withdrawal is offered anew (门禁卡停用期间，可领取临时门禁卡)."""
    clauses = notice_clauses(sentence, m.clause_breaks)
    starts = [c.start for c in clauses]
    audiences: tuple[str, ...] = ()
    ways = []
    for method, rx in m.alternatives.items():
        for x in rx.finditer(sentence):
            if is_negated(sentence, x.start(), m):
                continue
            audiences = audiences or notice_audiences(clauses, m.audiences, m.beneficiary)
            i = notice_clause_index(starts, x.start())
            withdrawn = notice_withdrawn(sentence, clauses[i], x.start(), x.end(), m.withdrawn_before, m.withdrawn_after)
            ways.append(WayThrough(method, audiences[i], withdrawn, clauses[i]))
    last: dict[tuple[str, str], int] = {}  # (method, audience or "any") → where its last withdrawal's clause starts
    for w in ways:
        if w.withdrawn:
            for key in ((w.method, w.audience), (w.method, "any")):
                last[key] = max(last.get(key, -1), w.clause.start)

    def withdrawn_later(w: WayThrough) -> bool:
        audiences = ("any",) if w.audience == "all" else (w.audience, "all")
        return any(last.get((w.method, a), -1) >= w.clause.start for a in audiences)

    return [WayThrough(w.method, w.audience, True, w.clause) if not w.withdrawn and withdrawn_later(w) else w
            for w in ways]


def leaves_only_face(sentence: str, ways: Sequence[WayThrough], m: Matchers) -> bool:
    """Whether a sentence withdraws a way through, keeps none for residents and names the face."""
    return (any(w.withdrawn for w in ways) and all(w.withdrawn or w.audience == "visitors" for w in ways)
            and states(m.face, sentence, m))


def about_doors(sentence: str, m: Matchers) -> bool:
    """Whether a sentence speaks of doors: a door word (a car-park barrier is none, 出入口 names a place) or a
    way through."""
    doors = notice_phrases_outside(blank(m.vehicle, sentence), {"door": m.access}, m.places.values(), live(m))
    return bool(doors) or bool(ways_through(sentence, m))


def access_rules(view: PageView, m: Matchers) -> Iterator[Evidence]:
    """context.access_control and access.alternative_method from community door notices. A car-park
    barrier is no door; a withdrawn way through (门禁卡停用) is none, and a sentence that withdraws one and
    leaves only faces says face is the only way through."""
    doors = [blank(m.vehicle, s) for s in view.sentences]
    community = first_group(m.places, view.title, m) == "community" or any(
        m.places["community"].search(s) for s in doors)
    ways = {s: ways_through(s, m) for s in view.sentences}
    face_only = next(((s, p) for s, d in zip(view.sentences, doors) for p in affirmed(m.face_only, d, m)), None)
    if face_only is None:
        face_only = next(((s, w.clause.text.strip()) for s in view.sentences if leaves_only_face(s, ways[s], m)
                          for w in ways[s] if w.withdrawn), None)
    door = next(((s, p) for s, d in zip(view.sentences, doors) for p in affirmed(m.access, d, m)), None)
    if not (community and door) and not face_only:
        return
    sentence, phrase = face_only or door  # type: ignore[misc]  # one of them is set here
    yield Evidence("context.access_control", phrase, {"phrase": phrase, "face_only": face_only is not None},
                   view.location(sentence), EXTRACTOR)
    seen: set[tuple[str, str]] = set()
    for s in view.sentences:
        for way in ways[s]:
            if not way.withdrawn and (way.method, way.audience) not in seen:
                seen.add((way.method, way.audience))
                yield Evidence("access.alternative_method", way.method, {"method": way.method, "for": way.audience},
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
