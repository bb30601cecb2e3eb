"""Facts from user-facing text: door/gate context, non-face ways through, consent steps, face notices,
face purpose hints. Phrase lists live in rules/lexicon/apk_ui.yaml.

Texts come from string resources, layout literals and the strings the app's own code loads. A phrase
preceded by a negation cue in its clause ("本应用不使用人脸识别", "无需刷脸") states nothing.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from typing import Any

from scanner.errors import InputError
from scanner.extractors.base import ExtractorSpec
from scanner.extractors.text_utils import (
    Negation,
    affirmed_matches,
    phrase_regex,
    snippet,
    snippet_around,
)
from scanner.model import Evidence, Location
from scanner.nlp.clauses import notice_audiences, notice_clause_index, notice_clauses, notice_withdrawn
from scanner.signatures import api_table, apk_lexicon, face_sdks, ref_class
from scanner.sources.apk import ApkSource
from scanner.sources.policy import policy_from_bytes

NAME = "apk_strings"
VERSION = 1
EXTRACTOR = f"{NAME}@{VERSION}"
MAX_TEXT = 2000
PHRASE_LIMIT = 60  # longer strings are code or data, not UI text
UI_WHERE = "app_ui"
SDK_AGREEMENT_WHERE = "sdk_agreement"


ASSET_SUFFIXES = (".html", ".htm", ".js", ".json", ".txt")
MAX_ASSETS = 300
MAX_ASSET_FILE_BYTES = 512 * 1024
MAX_ASSET_BYTES = 8 * 2**20  # all bundled pages and scripts of one app together


@dataclass(frozen=True)
class UiText:
    logical: str  # @string/name, a layout file, an asset page or script, or the method that loads the string
    text: str


@dataclass(frozen=True)
class UiLexicon:
    """rules/lexicon/apk_ui.yaml compiled into regular expressions."""

    negation: Negation
    access_control: re.Pattern[str]
    face_only: re.Pattern[str]
    face_door_words: re.Pattern[str]
    methods: Mapping[str, re.Pattern[str]]
    audiences: Mapping[str, re.Pattern[str]]
    beneficiary: re.Pattern[str]
    withdrawn_before: re.Pattern[str]
    withdrawn_after: re.Pattern[str]
    consent_patterns: tuple[re.Pattern[str], ...]
    policy_mentions: re.Pattern[str]
    accept_buttons: frozenset[str]
    decline_buttons: frozenset[str]
    separate_face: re.Pattern[str]
    separate_phrase: re.Pattern[str]
    face_terms: re.Pattern[str]
    face_words: tuple[str, ...]  # face_terms lower-cased, for a plain substring test
    window: int
    purposes: Mapping[str, re.Pattern[str]]
    any_term: re.Pattern[str]  # prefilter for dex strings: any phrase or consent pattern, one search
    ascii_term: re.Pattern[str]  # the same for ASCII-only strings (nearly all of a dex): Latin entries only
    ascii_words: tuple[str, ...]  # ascii_term's whole-word phrases, lower-cased
    ascii_patterns: re.Pattern[str] | None  # ascii_term's consent patterns, if any

    @classmethod
    def from_yaml(cls, lex: Mapping[str, Any]) -> UiLexicon:
        alt, consent, sep = lex["alternatives"], lex["consent_dialog"], lex["separate_face_consent"]
        every_phrase = (
            lex["access_control"]["phrases"]
            + [p for phrases in alt["methods"].values() for p in phrases]
            + consent["policy_mentions"]
            + consent["accept_buttons"]
            + consent["decline_buttons"]
            + sep["phrases"]
            + [sep["separate_phrase"]]
            + [p for phrases in lex["face_purpose"].values() for p in phrases]
        )
        return cls(
            negation=Negation.from_lexicon(lex["negation"]),
            access_control=phrase_regex(lex["access_control"]["phrases"]),
            face_only=phrase_regex(lex["access_control"]["face_only"]),
            face_door_words=phrase_regex(lex["access_control"]["face_door_words"]),
            methods={m: phrase_regex(p) for m, p in alt["methods"].items()},
            audiences={"residents": phrase_regex(alt["resident_cues"]), "visitors": phrase_regex(alt["visitor_cues"])},
            beneficiary=phrase_regex(alt["beneficiary"]),
            withdrawn_before=phrase_regex(alt["withdrawn_before"]),
            withdrawn_after=phrase_regex(alt["withdrawn_after"]),
            consent_patterns=tuple(re.compile(p) for p in consent["patterns"]),
            policy_mentions=phrase_regex(consent["policy_mentions"]),
            accept_buttons=frozenset(b.lower() for b in consent["accept_buttons"]),
            decline_buttons=frozenset(b.lower() for b in consent["decline_buttons"]),
            separate_face=phrase_regex(sep["phrases"]),
            separate_phrase=phrase_regex([sep["separate_phrase"]]),
            face_terms=phrase_regex(sep["face_terms"]),
            face_words=tuple(t.lower() for t in sep["face_terms"]),
            window=sep["window"],
            purposes={p: phrase_regex(phrases) for p, phrases in lex["face_purpose"].items()},
            any_term=re.compile(
                "|".join([phrase_regex(every_phrase).pattern, *map(_scoped, consent["patterns"])]),
                re.IGNORECASE,
            ),
            ascii_term=_ascii_prefilter(every_phrase, consent["patterns"]),
            ascii_words=tuple(sorted({p.lower() for p in every_phrase if p.isascii()})),
            ascii_patterns=_ascii_patterns(consent["patterns"]),
        )

    def may_matter(self, text: str) -> bool:
        term = self.ascii_term if text.isascii() else self.any_term
        return len(text) <= MAX_TEXT and term.search(text) is not None

    def texts_that_may_matter(self, texts: Iterable[str]) -> set[str]:
        """The texts for which may_matter() holds, found faster for the tens of thousands of strings of a
        dex: the whole-word phrases are looked up with str.find over all ASCII texts at once instead of
        one regex search per text (the alternation costs ~20 ms per app); the rest as may_matter() does."""
        chosen: set[str] = set()
        ascii_texts: list[str] = []
        for text in texts:
            if len(text) > MAX_TEXT:
                continue
            if text.isascii():
                ascii_texts.append(text)
            elif self.any_term.search(text):
                chosen.add(text)
        chosen.update(_texts_with_whole_words(ascii_texts, self.ascii_words))
        if self.ascii_patterns is not None:
            chosen.update(t for t in ascii_texts if t not in chosen and self.ascii_patterns.search(t))
        return chosen


_SEPARATOR = "\n"


def _texts_with_whole_words(texts: Sequence[str], words: Sequence[str]) -> set[str]:
    """ASCII texts containing any of the lower-case `words` case-insensitively, not inside a longer
    Latin word: the `(?<![A-Za-z])word(?![A-Za-z])` test of ascii_term, over all texts joined by a
    separator that is no letter and that no word contains (so no hit spans two texts)."""
    if any(_SEPARATOR in w for w in words):
        return {t for t in texts if any(_has_whole_word(t.lower(), w) for w in words)}
    joined = _SEPARATOR.join(texts).lower()
    starts = list(accumulate((len(t) + len(_SEPARATOR) for t in texts[:-1]), initial=0))
    found: set[str] = set()
    for word in words:
        at = joined.find(word)
        while at >= 0:
            if _is_whole_word(joined, at, at + len(word)):
                found.add(texts[bisect_right(starts, at) - 1])
            at = joined.find(word, at + 1)
    return found


def _has_whole_word(text: str, word: str) -> bool:
    at = text.find(word)
    while at >= 0:
        if _is_whole_word(text, at, at + len(word)):
            return True
        at = text.find(word, at + 1)
    return False


def _is_whole_word(text: str, start: int, end: int) -> bool:
    """No ASCII letter right before `start` or at `end` (the text is lower-cased)."""
    return not (start > 0 and "a" <= text[start - 1] <= "z") and not (end < len(text) and "a" <= text[end] <= "z")


def _ascii_prefilter(phrases: Sequence[str], patterns: Sequence[str]) -> re.Pattern[str]:
    """Latin phrases as whole words, one shared word-boundary check (6x faster than one per phrase)."""
    latin = sorted({p for p in phrases if p.isascii()}, key=len, reverse=True)
    words = r"(?<![A-Za-z])(?:" + "|".join(map(re.escape, latin)) + r")(?![A-Za-z])" if latin else r"(?!x)x"
    return re.compile("|".join([words, *(_scoped(p) for p in patterns if p.isascii())]), re.IGNORECASE)


def _ascii_patterns(patterns: Sequence[str]) -> re.Pattern[str] | None:
    """The ASCII consent patterns alone, as in ascii_term; None when there are none (a never-matching
    alternative in front would cost the regex its literal-prefix search, 5x slower)."""
    latin = [_scoped(p) for p in patterns if p.isascii()]
    return re.compile("|".join(latin), re.IGNORECASE) if latin else None


def _scoped(pattern: str) -> str:
    """A pattern as one alternative of a case-insensitive regex, keeping its own case rule."""
    return f"(?i:{pattern[4:]})" if pattern.startswith("(?i)") else f"(?-i:{pattern})"


@lru_cache(maxsize=1)
def ui_lexicon() -> UiLexicon:
    return UiLexicon.from_yaml(apk_lexicon())


def asset_texts(source: Any, lex: UiLexicon) -> list[UiText]:
    """Lines of the app's bundled web pages and scripts (hybrid apps draw their screens from
    assets/*.html and *.js) that may matter. Policies are left out: what a policy says is read by the
    policy analysis, and a policy sentence about 刷脸开门 is not the app's own screen."""
    policies = {name for name, _ in source.embedded_policies}
    names = [f for f in source.files if f.startswith("assets/") and f.lower().endswith(ASSET_SUFFIXES) and f not in policies]
    texts: list[UiText] = []
    budget = MAX_ASSET_BYTES
    for name in names[:MAX_ASSETS]:
        try:
            data = source.read(name, limit=min(MAX_ASSET_FILE_BYTES, budget))
            budget -= len(data)
            document = policy_from_bytes(data, uri=f"{source.uri}!/{name}", name=name)
        except InputError:
            continue  # a damaged entry, or empty or binary: no text to read
        texts += [UiText(name, line) for line in document.text.splitlines() if lex.may_matter(line)]
        if budget <= 0:
            break
    return texts


def ui_texts(source: Any, lex: UiLexicon) -> list[UiText]:
    """String resources, layout literals, bundled pages and scripts, and dex strings that the app's own
    code loads."""
    texts = [UiText(f"@string/{name}", value) for name, value in source.resource_strings]
    texts += [UiText(layout, value) for layout, value in source.layout_texts]
    texts += asset_texts(source, lex)
    table = api_table()
    wanted = lex.texts_that_may_matter(set(source.dex.strings))
    users = source.dex.users_of_strings(wanted.__contains__)
    for value, callers in sorted(users.items()):
        own = [c for c in callers if table.is_own_code(ref_class(c), source.manifest.package)]
        if own:
            texts.append(UiText(own[0], value))
    return texts


def run(source: ApkSource, _evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    lex = ui_lexicon()
    texts = ui_texts(source, lex)
    facts = list(text_facts(texts, lex, source.uri))
    facts += button_consent(texts, lex, source.uri)
    facts += sdk_agreements(source.manifest.activities, source.uri)
    yield from _unique(facts)


def _unique(facts: Iterable[Evidence]) -> Iterator[Evidence]:
    seen: set[tuple[str, str, str]] = set()
    for ev in facts:
        mark = (ev.kind, ev.key, ev.location.logical)
        if mark not in seen:
            seen.add(mark)
            yield ev


def text_facts(texts: Iterable[UiText], lex: UiLexicon, uri: str) -> Iterator[Evidence]:
    for item in texts:
        yield from facts_of_text(item, lex, uri)


def facts_of_text(item: UiText, lex: UiLexicon, uri: str) -> Iterator[Evidence]:
    """Every fact one UI text states on its own."""
    text, neg = item.text, lex.negation

    def ev(kind: str, key: str, attrs: dict[str, Any], match: re.Match[str] | None = None) -> Evidence:
        excerpt = snippet_around(text, match.start(), match.end()) if match else snippet(text)
        return Evidence(kind, key, attrs, Location(uri, item.logical, excerpt), EXTRACTOR)

    ways = _ways_through(text, lex)
    face = next(affirmed_matches(lex.face_terms, text, neg), None) is not None
    # a text that withdraws a way through and leaves only the face ("门禁卡已停用，请刷脸开门") says face only
    face_only = next(affirmed_matches(lex.face_only, text, neg), None) is not None or (
        face and any(w for _, _, w, _ in ways) and all(w or a == "visitors" for _, a, w, _ in ways))
    for m in _first_of_each_phrase(lex.access_control, text, neg):
        yield ev("context.access_control", m.group(0), {"phrase": m.group(0), "face_only": face_only}, m)

    offered: dict[str, tuple[str, re.Match[str]]] = {}  # one fact per method: the one for the most people
    for method, audience, withdrawn, match in ways:
        wider = method in offered and offered[method][0] == "visitors" and audience != "visitors"
        if not withdrawn and (method not in offered or wider):
            offered[method] = (audience, match)
    for method, (audience, match) in offered.items():
        yield ev("access.alternative_method", method, {"method": method, "for": audience, "phrase": match.group(0)},
                 match)

    for pattern in lex.consent_patterns:
        consent = pattern.search(text)
        if consent:
            yield ev("consent.dialog", UI_WHERE, {"where": UI_WHERE, "phrase": snippet(consent.group(0), PHRASE_LIMIT)}, consent)
            break

    face_notice = next(affirmed_matches(lex.separate_face, text, neg), None) or _separate_near_face(text, lex)
    if face_notice:
        yield ev("consent.separate_face", UI_WHERE, {"where": UI_WHERE, "phrase": face_notice.group(0)}, face_notice)

    named = set()
    for purpose, pattern in lex.purposes.items():
        for m in _first_of_each_phrase(pattern, text, neg):
            named.add(purpose)
            attrs = {"category": "face_purpose", "purpose": purpose, "phrase": m.group(0), "text": snippet(text)}
            yield ev("ui.text", m.group(0), attrs, m)
    door = None if "access_control" in named or not face else _face_at_door(text, lex)
    if door:
        attrs = {"category": "face_purpose", "purpose": "access_control", "phrase": door.group(0), "text": snippet(text)}
        yield ev("ui.text", door.group(0), attrs, door)


def _first_of_each_phrase(pattern: re.Pattern[str], text: str, negation: Negation) -> Iterator[re.Match[str]]:
    """The first affirmed match of each phrase: a later one states the same fact again (the facts are
    unique by kind, key and place), and a megabyte of one repeated phrase would make a fact per repeat."""
    seen: set[str] = set()
    for match in pattern.finditer(text):
        if match.group(0) not in seen and not negation.is_negated(text, match.start()):
            seen.add(match.group(0))
            yield match


def _ways_through(text: str, lex: UiLexicon) -> list[tuple[str, str, bool, re.Match[str]]]:
    """(method, who it is for, withdrawn, match) for each way through the text names that no negation
    cancels: the audience of its own clause or the clause before ("业主可刷卡，访客需扫码": the card is the
    owners', the QR code the visitors'), withdrawn when its clause says so ("门禁卡已停用")."""
    clauses = notice_clauses(text, lex.negation.clause_breaks)
    starts = [c.start for c in clauses]
    audiences: tuple[str, ...] = ()
    ways = []
    for method, pattern in lex.methods.items():
        for match in affirmed_matches(pattern, text, lex.negation):
            audiences = audiences or notice_audiences(clauses, lex.audiences, lex.beneficiary)
            i = notice_clause_index(starts, match.start())
            withdrawn = notice_withdrawn(text, clauses[i], match.start(), match.end(), lex.withdrawn_before,
                                         lex.withdrawn_after)
            ways.append((method, audiences[i], withdrawn, match))
    return ways


def _face_at_door(text: str, lex: UiLexicon) -> re.Match[str] | None:
    """A door word in the clause of a face term no negation cancels, or in the clause right after it
    when that clause names no other way through ("刷脸即可开门", "人脸识别成功，请通行"; not "您已拒绝人脸授权，
    可使用蓝牙开门": that door is the Bluetooth one's)."""
    clauses = notice_clauses(text, lex.negation.clause_breaks)
    for i, clause in enumerate(clauses):
        if next(affirmed_matches(lex.face_terms, clause.text, lex.negation), None) is None:
            continue
        for near in clauses[i:i + 2]:
            if near is not clause and any(rx.search(near.text) for rx in lex.methods.values()):
                continue
            door = next(affirmed_matches(lex.face_door_words, near.text, lex.negation), None)
            if door:
                return lex.face_door_words.search(text, near.start + door.start())
    return None


def _separate_near_face(text: str, lex: UiLexicon) -> re.Match[str] | None:
    """"单独同意" counts as a face notice only with a face term close by."""
    lowered = text.lower()
    if not any(word in lowered for word in lex.face_words):  # no window can hold one: skip the per-window search
        return None
    for m in affirmed_matches(lex.separate_phrase, text, lex.negation):
        lo, hi = max(0, m.start() - lex.window), m.end() + lex.window
        if next(affirmed_matches(lex.face_terms, text[lo:hi], lex.negation), None):
            return m
    return None


def button_consent(texts: Sequence[UiText], lex: UiLexicon, uri: str) -> list[Evidence]:
    """A policy mention plus separate accept and decline button labels make a consent step."""
    labels = {t.text.strip().lower() for t in texts}
    if not (labels & lex.accept_buttons and labels & lex.decline_buttons):
        return []
    mention = next((t for t in texts if lex.policy_mentions.search(t.text)), None)
    if mention is None:
        return []
    accept = sorted(labels & lex.accept_buttons)[0]
    decline = sorted(labels & lex.decline_buttons)[0]
    attrs = {"where": UI_WHERE, "phrase": snippet(mention.text, PHRASE_LIMIT), "buttons": [accept, decline]}
    return [Evidence("consent.dialog", UI_WHERE, attrs, Location(uri, mention.logical, snippet(mention.text)), EXTRACTOR)]


def sdk_agreements(activities: Iterable[str], uri: str) -> list[Evidence]:
    """A face SDK's own agreement screen declared in the manifest is a face-specific notice."""
    found = []
    for sdk in face_sdks():
        for activity in activities:
            if activity in sdk.agreement_components:
                attrs = {"where": SDK_AGREEMENT_WHERE, "phrase": activity, "sdk": sdk.id}
                found.append(
                    Evidence(
                        "consent.separate_face", SDK_AGREEMENT_WHERE, attrs,
                        Location(uri, "AndroidManifest.xml#activity", activity), EXTRACTOR,
                    )
                )
    return found


SPEC = ExtractorSpec(NAME, VERSION, run, emits=frozenset({"context.access_control", "access.alternative_method", "consent.dialog", "consent.separate_face", "ui.text"}), reads=ApkSource, needs_code=True)
