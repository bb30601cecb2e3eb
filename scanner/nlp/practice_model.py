"""A learned practice reader: a linear model over hashed character n-grams, one per language.

Each sentence is read as the multiset of its character n-grams (lower-cased, every digit read as 0, 你 as 您),
each n-gram hashed into one of `buckets` rows of a weight matrix; a sentence's score for an output is
the bias plus the sum of its n-grams' rows divided by the square root of their number, and a logistic
turns it into a probability. This is the architecture of spaCy's bag-of-n-grams text classifier; it is
computed here in one vectorised pass over a whole policy, so no document is made per sentence and the
scores do not depend on the pipeline's tokenizer. The artefact (models/practice_model_v1.npz) holds
hashed rows and weights only — no text, no strings table. bench/build_practice_model.py makes it.

The outputs are the practices (does the sentence state it, in any polarity) and two structure
outputs, `negate` and `conditional` (does the sentence deny, or make conditional, some practice),
which give the polarity of the model read alone.

Combination with the rule reader, per practice, from the manifest: every rule match stays, with the
rules' polarity (the model dropping one could leave a policy's sharing unstated: a false finding); the
model adds a practice the rules missed when it gives at least `add`, as affirm and only to a plain
sentence (no negation, no condition in any clause): a denial or a condition is read from the clause
structure or not at all, so the model never makes "我们不会永久保存您的人脸图像" a denial of retention.
add above 1 is the rule reader alone. The model read alone (`alone`) states what it gives at least
`alone`, rule matches included.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy
from spacy.language import Language
from spacy.tokens import Doc

from scanner.nlp.clauses import STATEMENT, SentenceClauses, acted_by_person, analyse_sentence
from scanner.nlp.components import SentenceHit, reading_order, sentence_clauses
from scanner.nlp.lexicon import load_lexicon
from scanner.nlp.practices import AFFIRM, CONDITIONAL, NEGATE, PracticeMatch

MODELS = Path(__file__).resolve().parent / "models"
ARTEFACT = "practice_model_v1.npz"
MANIFEST = "practice_model_v1.json"
STRUCTURE = ("negate", "conditional")
ZERO = ord("0")
SECOND_PERSON, POLITE_SECOND_PERSON = ord("你"), ord("您")
# Multipliers of the n-gram hash (64-bit, wrapping): odd constants, fixed, so a build and a reader agree.
_ROLL = numpy.uint64(0x100000001B3)
_ORDER = 0x9E3779B97F4A7C15  # times the order n, modulo 2**64: tells a 2-gram from a 3-gram
_MIX = numpy.uint64(0xFF51AFD7ED558CCD)
# Face information as GUIDE.md and the practice definitions have it (face images and templates, face
# scans, liveness; biometrics for separate consent). The model adds a face practice only to a sentence
# that names it, or refers back ("上述信息") while one of the BACK sentences before it does: n-grams of
# "不会向第三方提供" alone would otherwise read a sharing sentence as a face upload.
FACE_MENTION = re.compile(r"人脸|面部|面容|脸部|刷脸|人像|活体|实人认证|人证|生物识别|生物特征|\bfaces?\b|facial|biometric",
                          re.IGNORECASE)
REFERS_BACK = re.compile(r"上述|前述|以上|该等?信息|该数据|此类|这些信息|此信息|\b(such|this|these|the above)\b", re.IGNORECASE)
# A sharing statement names who receives the data or the act of passing it on; n-grams of "向您提供服务"
# alone would otherwise read a plain collection sentence as sharing.
RECIPIENT = re.compile(r"第三方|合作|关联|机构|服务商|供应商|提供商|商家|公司|集团|平台|SDK|他人|境外|政府|公安|司法|监管|部门|"
                       r"银行|运营商|受托|委托|共享|分享|转让|披露|third[- ]part|partner|affiliate|vendor|provider|"
                       r"advertis|compan|share|sharing|disclos|sell|transfer|law enforcement|government|authorit",
                       re.IGNORECASE)
NEEDS_RECIPIENT = frozenset({"third_party_sharing"})
BACK = 3  # a list of items split at "；" puts the face words a few sentences before "上述信息"
_CHUNK_CHARS = 200_000  # n-gram rows gathered at once: bounds memory on a policy of a million characters


@dataclass(frozen=True)
class Features:
    """Sparse rows of a batch of sentences: row index of each n-gram's sentence, its bucket, its value."""

    sentence: numpy.ndarray  # int64, one per n-gram, ascending
    bucket: numpy.ndarray  # int64
    value: numpy.ndarray  # float32: 1/sqrt(n-grams of the sentence)
    sentences: int


def codepoints(text: str) -> numpy.ndarray:
    """The text's characters as uint64 code points, lower-cased, each digit read as 0, the second person
    你 read as 您 (policies use either; the rule lexicon reads them alike too)."""
    points = numpy.frombuffer(text.lower().encode("utf-32-le"), dtype=numpy.uint32).astype(numpy.uint64)
    points[(points >= ZERO) & (points <= ZERO + 9)] = ZERO
    points[points == SECOND_PERSON] = POLITE_SECOND_PERSON
    return points


def ngram_blocks(text: str, bounds: Sequence[tuple[int, int]], orders: Sequence[int],
                 buckets: int) -> list[tuple[numpy.ndarray, numpy.ndarray]]:
    """Per n-gram order: (sentence index, bucket) of each hashed character n-gram of the sentences
    `text[start:end]`, in text order; an n-gram never spans two sentences.

    `bounds` must be in ascending order and not overlap (as sentence splitters make them)."""
    points = codepoints(text)
    if len(points) != len(text):  # lower() changed the length (a rare ligature): read the text as is
        points = numpy.frombuffer(text.encode("utf-32-le"), dtype=numpy.uint32).astype(numpy.uint64)
    owner = numpy.full(len(text), -1, dtype=numpy.int64)
    for index, (start, end) in enumerate(bounds):
        owner[start:end] = index
    blocks = []
    mask = numpy.uint64(buckets - 1)
    for n in orders:
        if len(points) < n:
            continue
        h = points[: len(points) - n + 1].copy()
        for k in range(1, n):
            h = h * _ROLL + points[k: len(points) - n + 1 + k]
        h = (h + numpy.uint64(n * _ORDER % (1 << 64))) * _MIX
        h ^= h >> numpy.uint64(31)
        same = (owner[: len(owner) - n + 1] >= 0) & (owner[: len(owner) - n + 1] == owner[n - 1:])
        blocks.append((owner[: len(owner) - n + 1][same], (h[same] & mask).astype(numpy.int64)))
    return blocks


def featurise(text: str, bounds: Sequence[tuple[int, int]], orders: Sequence[int], buckets: int) -> Features:
    """The n-grams of ngram_blocks as one sparse matrix, rows in sentence order (for training)."""
    blocks = ngram_blocks(text, bounds, orders, buckets)
    if not blocks:
        empty = numpy.zeros(0, dtype=numpy.int64)
        return Features(empty, empty, numpy.zeros(0, dtype=numpy.float32), len(bounds))
    sentence = numpy.concatenate([rows for rows, _ in blocks])
    bucket = numpy.concatenate([hashed for _, hashed in blocks])
    order = numpy.argsort(sentence, kind="stable")
    sentence, bucket = sentence[order], bucket[order]
    counts = numpy.bincount(sentence, minlength=len(bounds))
    value = (1.0 / numpy.sqrt(numpy.maximum(counts, 1)))[sentence].astype(numpy.float32)
    return Features(sentence, bucket, value, len(bounds))


@dataclass(frozen=True)
class Combination:
    """Per practice: add a practice the rules missed at probability ≥ add; the model alone states the
    practice at ≥ alone."""

    add: float
    alone: float


class SentenceContext(NamedTuple):
    """What the clause structure says of a sentence, for what the model may add to it (sentence_context)."""

    statement: bool  # it may state a practice at all (not a definition, heading, list of kinds …)
    face: bool  # it is about the person's face data
    plain: bool  # no clause of it is negated or conditional
    recipient: bool  # it names who receives data, or the passing on
    vetoed: frozenset[str] = frozenset()  # practices the rule lexicon rules out here (a practice's `unless`)


ANY_SENTENCE = SentenceContext(True, True, True, True)


class PracticeModel:
    """One language's weights and its combination thresholds, as the manifest states them."""

    def __init__(self, language: str, manifest: Mapping, rows: numpy.ndarray, weights: numpy.ndarray,
                 bias: numpy.ndarray) -> None:
        entry = manifest["languages"][language]
        self.language = language
        self.version: str = manifest["version"]
        self.orders: tuple[int, ...] = tuple(entry["orders"])
        self.buckets: int = manifest["buckets"]
        self.outputs: tuple[str, ...] = tuple(entry["outputs"])
        self.practices = tuple(o for o in self.outputs if o not in STRUCTURE)
        self.affirm_only = frozenset(manifest["affirm_only"])
        self.combination = {p: Combination(float(c["add"]), float(c["alone"]))
                            for p, c in entry["combination"].items()}
        self.structure_threshold = float(entry["structure_threshold"])
        # Bucket → row of `weights`; row 0 is all zeros, for buckets no training n-gram fell into.
        self._row_of = numpy.zeros(self.buckets, dtype=numpy.int32)
        self._row_of[rows] = numpy.arange(1, len(rows) + 1, dtype=numpy.int32)
        self._weights = numpy.vstack([numpy.zeros((1, weights.shape[1]), dtype=numpy.float32),
                                      weights.astype(numpy.float32)])
        self._bias = bias.astype(numpy.float32)

    def candidates(self, probabilities: numpy.ndarray, reader: str) -> numpy.ndarray:
        """Per sentence: whether some practice's probability reaches the threshold at which it is added."""
        columns = [self.outputs.index(p) for p in self.combination]
        added = numpy.array([c.alone if reader == "model" else c.add for c in self.combination.values()],
                            dtype=numpy.float32)
        return numpy.asarray((probabilities[:, columns] >= added).any(axis=1))

    def probabilities(self, text: str, bounds: Sequence[tuple[int, int]]) -> numpy.ndarray:
        """(sentences × outputs) probabilities for the sentences `text[start:end]`, in one pass per chunk."""
        out = numpy.empty((len(bounds), len(self.outputs)), dtype=numpy.float32)
        first = 0
        while first < len(bounds):
            last = first
            while last < len(bounds) and bounds[last][1] - bounds[first][0] <= _CHUNK_CHARS:
                last += 1
            last = max(last, first + 1)
            base = bounds[first][0]
            chunk = [(start - base, end - base) for start, end in bounds[first:last]]
            out[first:last] = self._score(text[base:bounds[last - 1][1]], chunk)
            first = last
        return out

    def _score(self, text: str, bounds: Sequence[tuple[int, int]]) -> numpy.ndarray:
        # Per order, the n-grams are in text order, so each sentence's rows are one run to sum; the
        # 1/sqrt(count) scaling is the same for a whole sentence and is applied to the sums.
        sums = numpy.zeros((len(bounds), len(self.outputs)), dtype=numpy.float32)
        counts = numpy.zeros(len(bounds), dtype=numpy.int64)
        for sentence, bucket in ngram_blocks(text, bounds, self.orders, self.buckets):
            if not len(sentence):
                continue
            starts = numpy.flatnonzero(numpy.r_[True, sentence[1:] != sentence[:-1]])
            sums[sentence[starts]] += numpy.add.reduceat(self._weights[self._row_of[bucket]], starts, axis=0)
            counts += numpy.bincount(sentence, minlength=len(bounds))
        scores = self._bias + sums / numpy.sqrt(numpy.maximum(counts, 1)).astype(numpy.float32)[:, None]
        # clipped: a sentence of one n-gram repeated thousands of times would overflow exp (and means nothing more)
        return 1.0 / (1.0 + numpy.exp(-numpy.clip(scores, -60.0, 60.0)))


def read_artefact(folder: Path = MODELS) -> tuple[dict, dict[str, dict[str, numpy.ndarray]]]:
    """The manifest and, per language, its arrays (rows, weights, bias); checks the artefact's hash."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    data = (folder / ARTEFACT).read_bytes()
    if hashlib.sha256(data).hexdigest() != manifest["artefact_sha256"]:
        raise ValueError(f"{ARTEFACT} does not match its manifest (sha256)")
    arrays: dict[str, dict[str, numpy.ndarray]] = {}
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            language, _, field = name.removesuffix(".npy").partition("_")
            arrays.setdefault(language, {})[field] = numpy.lib.format.read_array(io.BytesIO(archive.read(name)),
                                                                                 allow_pickle=False)
    return manifest, arrays


def write_artefact(folder: Path, manifest: dict, arrays: Mapping[str, Mapping[str, numpy.ndarray]]) -> dict:
    """Write the arrays as a zip of .npy files with fixed dates and order (same input, same bytes),
    and the manifest with the artefact's sha256 and size; returns that manifest."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for language in sorted(arrays):
            for field in sorted(arrays[language]):
                member = io.BytesIO()
                numpy.lib.format.write_array(member, numpy.ascontiguousarray(arrays[language][field]),
                                             allow_pickle=False)
                info = zipfile.ZipInfo(f"{language}_{field}.npy", date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, member.getvalue())
    data = buffer.getvalue()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / ARTEFACT).write_bytes(data)
    manifest = {**manifest, "artefact_sha256": hashlib.sha256(data).hexdigest(), "artefact_bytes": len(data)}
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
                                   encoding="utf-8")
    return manifest


@functools.cache
def load_model(language: str, folder: Path = MODELS) -> PracticeModel:
    """The shipped model for `language`, loaded once per process."""
    manifest, arrays = read_artefact(folder)
    if language not in manifest["languages"]:
        raise ValueError(f"no practice model for language {language!r}")
    a = arrays[language]
    return PracticeModel(language, manifest, a["rows"], a["weights"], a["bias"])


@functools.cache
def model_record(reader: str, folder: Path = MODELS) -> dict[str, str]:
    """What a report states of the model: its name, version, artefact hash and how it was combined."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    return {"name": "practice_model", "version": str(manifest["version"]), "sha256": str(manifest["artefact_sha256"]),
            "reader": reader}


READERS = ("rules", "model", "combined")
# The shipped reading: the rules, with the model adding affirm readings to plain sentences only (combine).
# Higher than the rules alone on zh dev (sentence macro-F1 0.756 / 0.752 against 0.693 / 0.689) and equal on
# en dev; bench/sentence_eval.py --reader compares the three.
READER = "combined"


def sentence_context(text: str, bounds: Sequence[tuple[int, int]], language: str,
                     analysed: Mapping[int, SentenceClauses] | None = None,
                     wanted: Sequence[bool] | None = None) -> list[SentenceContext | None]:
    """Per sentence, its SentenceContext: whether it may state a practice at all — a definition or a list
    of kinds of information states none (the clause analyser's non-statements, `analysed` by sentence start
    when the pipeline has them); whether it is about the person's face data: it names face information,
    or refers back while one of the BACK sentences before it does, and is not about the phone's own face
    unlock (the app never sees that data: the lexicon's device_biometric); whether it is plain (no
    negation scope and no condition in any clause); whether it names a recipient other than one the person gives
    to; which practices the lexicon's `unless` groups rule out ("注销账号后，我们将删除" is a deletion point, not the right to delete).
    With `wanted`, only the sentences it marks are read (None for the others)."""
    lexicon = load_lexicon(language)
    vetoes = [(spec.name, [lexicon.groups[g] for g in spec.unless]) for spec in lexicon.practices if spec.unless]
    named = [bool(FACE_MENTION.search(text, start, end)) for start, end in bounds]
    out: list[SentenceContext | None] = []
    for i, (start, end) in enumerate(bounds):
        if wanted is not None and not wanted[i]:
            out.append(None)
            continue
        sentence = lexicon.normalise(text[start:end])
        clauses = (analysed or {}).get(start) or analyse_sentence(sentence, language)
        face = named[i] or (any(named[max(i - BACK, 0):i]) and bool(REFERS_BACK.search(sentence)))
        out.append(SentenceContext(
            statement=clauses.kind == STATEMENT,
            face=face and not lexicon.groups["device_biometric"].search(sentence),
            plain=not any(c.negations or c.condition for c in clauses.clauses),
            # a recipient the person gives to on their own ("you may share your reviews publicly") is none
            recipient=any(not acted_by_person(clauses, m.start(), language) for m in RECIPIENT.finditer(clauses.text)),
            vetoed=frozenset(name for name, groups in vetoes if any(g.search(sentence) for g in groups))))
    return out


def combine(rule_matches: Sequence[PracticeMatch], probabilities: numpy.ndarray, model: PracticeModel,
            reader: str = "combined", context: SentenceContext = ANY_SENTENCE) -> list[PracticeMatch]:
    """One sentence's practices from its rule matches and its model probabilities (one row).

    Practices the model does not know (and every rule match under the `rules` reader) pass unchanged.
    A kept rule match keeps its polarity: the rule reader reads the sentence's structure. The model adds
    nothing where the sentence is no statement, a face practice only to a sentence about face data and,
    when combined, only to a sentence in which the rules read no face practice (where they read one, they
    read the sentence's face statements clause by clause: the hand-written set in tests/nlp holds them to
    it), sharing only where a recipient is named. Combined, an addition is affirm and made only to a plain
    sentence, unless the practice has no other polarity; the model alone takes the polarity of its
    structure outputs."""
    if reader == "rules":
        return list(rule_matches)
    by_practice = {m.practice: m for m in rule_matches}
    face = context.face and not (reader == "combined" and any(m.practice.startswith("face_") for m in rule_matches))
    out = [m for m in rule_matches if m.practice not in model.combination]
    for index, practice in enumerate(model.outputs):
        if practice not in model.combination:
            continue
        p = float(probabilities[index])
        thresholds = model.combination[practice]
        add = thresholds.alone if reader == "model" else thresholds.add
        match = by_practice.get(practice)
        if match is not None:
            if reader == "combined" or p >= add:  # alone, the model decides presence
                out.append(match)
        elif p >= add and may_add(practice, model, reader, context, face):
            polarity = AFFIRM if reader == "combined" else model_polarity(practice, probabilities, model)
            out.append(PracticeMatch(practice, polarity))
    return out


def may_add(practice: str, model: PracticeModel, reader: str, context: SentenceContext, face: bool) -> bool:
    """Whether the model may state `practice` in a sentence the rules did not read it in (see combine)."""
    if not context.statement or practice in context.vetoed or (practice.startswith("face_") and not face):
        return False
    if practice in NEEDS_RECIPIENT and not context.recipient:
        return False
    return reader != "combined" or context.plain or practice in model.affirm_only


def model_polarity(practice: str, probabilities: numpy.ndarray, model: PracticeModel) -> str:
    """The polarity the structure outputs give a practice (affirm for the practices that have no other)."""
    if practice in model.affirm_only:
        return AFFIRM
    structure = {name: float(probabilities[model.outputs.index(name)]) for name in STRUCTURE}
    if structure["conditional"] >= model.structure_threshold and structure["conditional"] >= structure["negate"]:
        return CONDITIONAL
    if structure["negate"] >= model.structure_threshold:
        return NEGATE
    return AFFIRM


@Language.factory("fangcun_practice_model_v1", default_config={"language": "zh", "reader": "combined"})
def make_practice_model(nlp: Language, name: str, language: str, reader: str) -> Callable[[Doc], Doc]:
    """After the rule reader: rewrites `doc._.fangcun_hits` with the combined reading of every sentence."""
    if reader not in READERS:
        raise ValueError(f"unknown reader {reader!r}; expected one of {READERS}")
    model = load_model(language)

    def read(doc: Doc) -> Doc:
        text = doc._.fangcun_text or doc.text
        rule_hits = {hit.start: hit for hit in doc._.fangcun_hits or ()}
        sentences = reading_order(doc, text, language)
        bounds = [(start, end) for start, end, _ in sentences]
        probabilities = model.probabilities(text, bounds)
        candidates = model.candidates(probabilities, reader)
        # a sentence with no rule match and no practice the model would add has nothing to read
        wanted = [bool(candidate) or start in rule_hits for (start, _), candidate in zip(bounds, candidates)]
        contexts = sentence_context(text, bounds, language, sentence_clauses(doc), wanted)
        hits: list[SentenceHit] = []
        for (start, end, section), row, context in zip(sentences, probabilities, contexts):
            if context is None:
                continue
            rule_hit = rule_hits.pop(start, None)
            matches = combine(rule_hit.matches if rule_hit else (), row, model, reader, context)
            if matches:
                hits.append(SentenceHit(start, end, rule_hit.section if rule_hit else section, tuple(matches)))
        # A rule hit on a span that is not one of these sentences is not the model's to judge: kept as read.
        doc._.fangcun_hits = sorted([*hits, *rule_hits.values()], key=lambda hit: hit.start)
        return doc

    return read
