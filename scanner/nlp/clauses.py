"""Clause analysis of Chinese sentences."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

# Access notices: audience, withdrawal and purpose per clause
#
# A notice sentence ("业主可刷卡，访客需扫码。") says several things, one per clause: who a way through is
# for, that a way through is withdrawn, why faces are taken. Each is read from the clause that says it,
# so that one clause's audience or purpose never spreads over the sentence. Phrases are the caller's
# (rules/lexicon/web_zh.yaml, rules/lexicon/apk_ui.yaml); these functions only place them in clauses.
# Every search is bounded to a clause or a few characters, so a page-long clause is read in linear time.

BENEFICIARY_REACH = 4  # characters before an audience word where 为 / 仅限 / 面向 mark it as the one served
WITHDRAWAL_REACH = 16  # characters around a way through where its withdrawal is said (原有刷卡、密码方式同步取消)


@dataclass(frozen=True)
class NoticeClause:
    """One clause of a notice sentence: text[start:end] of the sentence."""

    start: int
    end: int
    text: str


def notice_clauses(sentence: str, breaks: str) -> tuple[NoticeClause, ...]:
    """The clauses of a notice sentence, split at the clause-break characters. A coordination (刷脸、刷卡、
    扫码) is one clause: 、 and 或 join the ways through of one statement."""
    clauses: list[NoticeClause] = []
    start = 0
    for i, ch in enumerate(sentence):
        if ch in breaks:
            if sentence[start:i].strip():
                clauses.append(NoticeClause(start, i, sentence[start:i]))
            start = i + 1
    if sentence[start:].strip():
        clauses.append(NoticeClause(start, len(sentence), sentence[start:]))
    return tuple(clauses)


def notice_clause_index(starts: Sequence[int], position: int) -> int:
    """The clause holding sentence offset `position`, given where each clause starts (the last one
    starting at or before it)."""
    return max(0, bisect_right(starts, position) - 1)


def _clause_audience(text: str, audiences: Mapping[str, re.Pattern[str]], beneficiary: re.Pattern[str]) -> str:
    """The audience one clause names: the one marked as beneficiary (为访客生成…, 仅限访客…), else the first
    named (访客需由业主远程开门: the visitor is the one let in); "" when it names none."""
    named = sorted((m.start(), name) for name, rx in audiences.items() for m in rx.finditer(text))
    for start, name in named:
        if beneficiary.search(text, max(0, start - BENEFICIARY_REACH), start):
            return name
    return named[0][1] if named else ""


def notice_audiences(clauses: Sequence[NoticeClause], audiences: Mapping[str, re.Pattern[str]],
                     beneficiary: re.Pattern[str]) -> tuple[str, ...]:
    """Who a way through stated in each clause is for: the audience that clause names, else the one the
    nearest clause before it names (业主如不愿录入人脸，可选择刷卡: the second clause continues the first),
    else "all". Clauses after it never lend theirs: in 访客可扫码，业主请刷脸 the owners are told to use
    their faces, they are not offered the QR code."""
    found: list[str] = []
    for clause in clauses:
        found.append(_clause_audience(clause.text, audiences, beneficiary) or (found[-1] if found else "all"))
    return tuple(found)


def notice_withdrawn(sentence: str, clause: NoticeClause, start: int, end: int, before: re.Pattern[str],
                     after: re.Pattern[str]) -> bool:
    """Whether the way through at sentence offsets [start, end) is withdrawn by its own clause: a
    withdrawal word shortly before it (取消刷卡, 收回全部门禁卡) or after it (门禁卡停用, 刷卡无效, 门卡自下月起
    停止使用)."""
    head = before.search(sentence, max(clause.start, start - WITHDRAWAL_REACH), start)
    return head is not None or after.search(sentence, end, min(clause.end, end + WITHDRAWAL_REACH)) is not None


def notice_opens_with(text: str, cues: re.Pattern[str], lead: str) -> bool:
    """Whether `text` opens with one of `cues`, after any of the `lead` characters (仅, 并, 同时 …) and
    blanks: 用于识别到访客户 and 仅用于安全防范 open with a purpose frame, 这些摄像头 with a reference."""
    return cues.match(text.lstrip(" \t\u3000" + lead)) is not None


def notice_purpose_clauses(clauses: Sequence[NoticeClause], anchors: Iterable[int], frames: re.Pattern[str],
                           lead: str) -> list[int]:
    """The clauses that state why faces are taken in the anchor clauses: the anchors, and the clauses
    joined to them by a purpose frame (为规范渠道管理，…安装人脸抓拍，用于判客): outwards from each anchor while
    the next clause opens with a frame."""
    chosen: set[int] = set()
    for anchor in anchors:
        chosen.add(anchor)
        for step in (-1, 1):
            j = anchor + step
            while 0 <= j < len(clauses) and notice_opens_with(clauses[j].text, frames, lead):
                chosen.add(j)
                j += step
    return sorted(chosen)


def notice_phrases_outside(text: str, groups: Mapping[str, re.Pattern[str]], masks: Iterable[re.Pattern[str]],
                           live: Callable[[str, int], bool]) -> list[str]:
    """The groups with a live phrase in `text` that no longer mask phrase holds: 营销 inside 营销中心 (a
    place) is no purpose, while 识别到访客户 keeps its purpose around the place word 到访, and 门禁 stays a
    purpose where 门禁 is also a place word. `live(text, offset)` rejects negated phrases. In text order."""
    inside = _strictly_inside([(m.start(), m.end()) for rx in masks for m in rx.finditer(text)])
    found: list[tuple[int, str]] = []
    for name, rx in groups.items():
        for m in rx.finditer(text):
            if not inside(m.start(), m.end()) and live(text, m.start()):
                found.append((m.start(), name))
                break
    return [name for _, name in sorted(found)]


def _strictly_inside(spans: list[tuple[int, int]]) -> Callable[[int, int], bool]:
    """A test whether [start, end) lies within one of `spans` that is longer than it, answered by bisection
    over the spans sorted by start (a clause of thousands of place words is no quadratic search)."""
    spans.sort()
    starts = [s for s, _ in spans]
    reach: list[int] = []  # reach[i]: the furthest end of spans[0..i]
    for _, e in spans:
        reach.append(max(e, reach[-1]) if reach else e)
    longest_at: dict[int, int] = {}
    for s, e in spans:
        longest_at[s] = max(e, longest_at.get(s, e))

    def inside(start: int, end: int) -> bool:
        earlier = bisect_left(starts, start)  # spans starting before `start`
        return (earlier > 0 and reach[earlier - 1] >= end) or longest_at.get(start, -1) > end

    return inside
