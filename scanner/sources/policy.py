"""Open a privacy policy or disclosure (.txt, .html/.htm, .pdf, .docx) as text with section headings.

HTML becomes the text a reader sees: scripts, styles, templates and hidden elements are dropped
(a keyword inside a <script> string is not a disclosure), block elements end lines, table cells
of one row stay on one line. Encodings are tried in the order a browser would: byte-order mark,
declared charset, UTF-8, then GB18030 (a superset of GBK/GB2312, still common on Chinese sites).
Work is bounded: at most MAX_HTML_BYTES of markup are parsed and MAX_TEXT_CHARS are kept.
"""

from __future__ import annotations

import codecs
import hashlib
import html
import io
import logging
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import InputError
from scanner.model import TargetKind
from scanner.nlp.text import detect_language, heading_sections

MAX_TEXT_CHARS = 2_000_000
MAX_PDF_PAGES = 300  # a disclosure or policy is far shorter; bounded work on a crafted or huge PDF
MAX_HTML_BYTES = 8_000_000
MAX_TEXT_BYTES = 4 * MAX_TEXT_CHARS  # GB18030/UTF-8 need at most 4 bytes per character
SNIFF_BYTES = 4096
FORMATS = ("txt", "html", "pdf", "docx")
DOCX_BODY = "word/document.xml"
MAX_DOCX_XML_BYTES = 64 * 2**20  # the body's declared size: a policy is far smaller, a zip bomb far larger
DOCX_HEADING_STYLE = re.compile(r"^(heading|title|标题)\s*\d*$", re.IGNORECASE)

DROPPED_TAGS = ("script", "style", "noscript", "template", "head", "svg", "iframe", "object")
BLOCK_TAGS = (
    "p", "div", "br", "li", "ul", "ol", "tr", "table", "section", "article", "header", "footer",
    "nav", "aside", "main", "h1", "h2", "h3", "h4", "h5", "h6", "dt", "dd", "dl", "blockquote",
    "pre", "hr", "form", "fieldset", "caption", "thead", "tbody", "tfoot", "address", "figure",
    "label", "option",
)
HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# [^<>] keeps each search inside one tag: a flood of "<meta" without ">" is read once, not once per "<meta"
META_CHARSET = re.compile(rb"""<meta[^<>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
XML_ENCODING = re.compile(rb"""<\?xml[^<>]+encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
CONTENT_TYPE_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)
HTML_SNIFF = re.compile(rb"<\s*(!doctype\s+html|html|head|body|meta|div|p|title)\b", re.IGNORECASE)
TAG = re.compile(r"<[^>]*>")
OPEN_OR_CLOSE_TAG = re.compile(r"<(/)?\s*([A-Za-z][A-Za-z0-9-]*)[^>]*?(/)?>")
# Tags that never nest (void) or whose end tag may be omitted: not counted as depth.
UNCOUNTED_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
             "source", "track", "wbr", "p", "li", "td", "tr", "th", "option", "dt", "dd"}
MAX_NESTING = 400  # real pages nest a few dozen levels; far deeper is broken or hostile markup
COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
DROPPED_BLOCK_NAMES = ("script", "style", "noscript", "template")
DROPPED_BLOCK_START = re.compile(r"<(" + "|".join(DROPPED_BLOCK_NAMES) + r")\b", re.IGNORECASE)
DROPPED_BLOCK_ENDS = {name: re.compile(rf"</{name}\s*>", re.IGNORECASE) for name in DROPPED_BLOCK_NAMES}
BLOCK_TAG_RE = re.compile(r"<\s*/?\s*(?:" + "|".join(BLOCK_TAGS) + r")\b[^>]*>", re.IGNORECASE)
SPACES = re.compile(r"[ \t\u00a0\u3000\r\f\v]+")
# Characters that never occur in text: C0 controls except tab/newline/carriage return/form feed.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
# GB-family names browsers treat as GB18030.
GB_FAMILY = {"gbk", "gb2312", "gb_2312", "gb-2312", "x-gbk", "cp936", "gb18030", "euc-cn", "hz-gb-2312"}


@dataclass(frozen=True)
class PolicySource:
    """An opened policy: its text (capped) and where its sections start."""

    uri: str
    sha256: str
    label: str
    text: str
    sections: tuple[tuple[int, str], ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)
    kind: TargetKind = TargetKind.POLICY


def open_policy(path: str | Path) -> PolicySource:
    p = Path(path)
    if not p.is_file():
        raise InputError(str(p), "not a readable file")
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(str(p), f"cannot read file ({exc.strerror})") from exc
    return policy_from_bytes(data, uri=str(p), name=p.name)


def policy_from_bytes(data: bytes, *, uri: str, content_type: str | None = None,
                      name: str | None = None) -> PolicySource:
    """A policy from bytes (an APK asset, a captured page, a file); `uri` names it in errors."""
    if not data.strip():
        raise InputError(uri, "empty file — no policy text")
    fmt = _format(data, uri, content_type)
    sha256 = hashlib.sha256(data).hexdigest()
    if fmt == "pdf":
        text, title, encoding = pdf_text(data, uri), "", "pdf"
        sections = heading_sections(text)
    elif fmt == "docx":
        text, title, sections = docx_text(data, uri)
        encoding = "docx"
    else:
        limit = MAX_HTML_BYTES if fmt == "html" else MAX_TEXT_BYTES
        text, encoding = decode_document(data[:limit], uri=uri, content_type=content_type, fmt=fmt)
        if fmt == "html":
            text, title, sections = _html_text(text)
        else:
            title, sections = "", heading_sections(text)
    text, truncated = _cap(text, len(data) > (MAX_HTML_BYTES if fmt == "html" else MAX_TEXT_BYTES))
    sections = tuple(s for s in sections if s[0] < len(text))
    if not text.strip():
        raise InputError(uri, "no visible text in the document")
    attributes: dict[str, Any] = {
        "format": fmt,
        "encoding": encoding,
        "chars": len(text),
        "language": detect_language(text),
    }
    if truncated:
        attributes["truncated"] = True
    label = title or name or uri.rstrip("/").rsplit("/", 1)[-1] or uri
    return PolicySource(uri=uri, sha256=sha256, label=label, text=text, sections=sections,
                        attributes=attributes)


def _format(data: bytes, uri: str, content_type: str | None) -> str:
    head = data[:SNIFF_BYTES]
    if head.lstrip().startswith(b"%PDF-"):
        return "pdf"
    if uri.lower().endswith(".docx") or (head.startswith(b"PK\x03\x04") and is_docx(data)):
        return "docx"
    ctype = (content_type or "").lower()
    suffix = uri.lower().rsplit(".", 1)[-1] if "." in uri.rsplit("/", 1)[-1] else ""
    if "pdf" in ctype or suffix == "pdf":
        return "pdf"
    if "html" in ctype or suffix in ("html", "htm", "xhtml") or HTML_SNIFF.search(head):
        return "html"
    return "txt"


def decode_document(data: bytes, *, uri: str, content_type: str | None = None, fmt: str = "html") -> tuple[str, str]:
    """Text and the codec that decoded it: BOM, declared charset, UTF-8, then GB18030.

    InputError (naming `uri`) when the bytes are not text in any of them.
    """
    return _decode(data, _declared_charset(data, content_type, fmt), uri)


def _declared_charset(data: bytes, content_type: str | None, fmt: str) -> str | None:
    if content_type and (m := CONTENT_TYPE_CHARSET.search(content_type)):
        return m.group(1)
    if fmt == "html":
        head = data[:SNIFF_BYTES * 4]
        for pattern in (META_CHARSET, XML_ENCODING):
            if found := pattern.search(head):
                return found.group(1).decode("ascii", "replace")
    return None


def _decode(data: bytes, declared: str | None, uri: str) -> tuple[str, str]:
    for bom, codec in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                       (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(codec, errors="replace"), codec
    if b"\x00" in data[:SNIFF_BYTES]:
        raise InputError(uri, "binary file (NUL bytes) — not a text policy")
    candidates = [_normalise_codec(declared)] if declared else []
    candidates += ["utf-8", "gb18030"]
    for codec in dict.fromkeys(c for c in candidates if c):
        try:
            text = _decode_strict(data, codec)
        except (UnicodeDecodeError, LookupError):
            continue
        if _looks_like_text(text):
            return text, codec
    raise InputError(uri, "not text in UTF-8, GB18030 or the declared encoding — binary file?")


def _decode_strict(data: bytes, codec: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        # A byte cut in the middle of the last character (the input was capped) is not an error.
        if exc.start >= len(data) - 4:
            return data[:exc.start].decode(codec)
        raise


def _normalise_codec(name: str) -> str | None:
    name = name.strip().lower()
    if name in GB_FAMILY:
        return "gb18030"
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _looks_like_text(text: str) -> bool:
    sample = text[:SNIFF_BYTES * 4]
    return len(CONTROL.findall(sample)) <= len(sample) // 100


def _cap(text: str, input_truncated: bool) -> tuple[str, bool]:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if len(text) > MAX_TEXT_CHARS:
        return text[:MAX_TEXT_CHARS], True
    return text, input_truncated


def _html_text(markup: str) -> tuple[str, str, tuple[tuple[int, str], ...]]:
    """Visible text, title, and (offset, heading) sections of an HTML page."""
    if not too_deeply_nested(markup):
        try:
            return _html_text_soup(markup)
        except (RecursionError, ValueError, AttributeError):
            pass
    text = stripped_text(markup)
    return text, "", heading_sections(text)


def too_deeply_nested(markup: str) -> bool:
    """Markup no real page has: building its tree would take minutes (quadratic in nesting depth)."""
    return _nesting_exceeds(markup, MAX_NESTING)


def stripped_text(markup: str) -> str:
    """The words of pathological markup by a plain tag strip (scripts and styles dropped, hidden
    elements not detected) — bounded work where a parsed tree is not affordable."""
    return _tidy(_strip_tags(markup))


def _through_last(markup: str, closer: str) -> str:
    """`markup` up to and including its last `closer`.

    A pattern whose every match ends with `closer` finds the same matches in this head as in the
    whole text, and each of its starts there meets a closer ahead: an unclosed run ("<a<a<a…",
    "<!--<!--…") would otherwise make every start scan to the end of the text (quadratic time).
    """
    return markup[: markup.rfind(closer) + len(closer)] if closer in markup else ""


def _sub_through_last(pattern: re.Pattern[str], replacement: str, markup: str, closer: str) -> str:
    """pattern.sub over `markup`, where every match of `pattern` ends with `closer`, in linear time."""
    head = _through_last(markup, closer)
    return pattern.sub(replacement, head) + markup[len(head):]


def _nesting_exceeds(markup: str, limit: int) -> bool:
    depth = 0
    for tag in OPEN_OR_CLOSE_TAG.finditer(_through_last(markup, ">")):
        if tag.group(1):
            depth -= 1
        elif tag.group(2).lower() not in UNCOUNTED_TAGS and not tag.group(3):
            depth += 1
            if depth > limit:
                return True
    return False


def _html_text_soup(markup: str) -> tuple[str, str, tuple[tuple[int, str], ...]]:
    soup, title = visible_soup(markup)
    headings = [t.get_text(" ", strip=True) for t in soup.find_all(_is_heading)]
    text = soup_text(soup)
    return text, title, _locate(text, headings)


def visible_soup(markup: str) -> tuple[Any, str]:
    """The parsed page without what a reader cannot see (scripts, styles, hidden elements), and its title.

    A keyword inside a <script> string or a display:none block is not a disclosure.
    """
    from bs4 import BeautifulSoup  # bs4 import is slow: only when HTML is read

    soup = BeautifulSoup(markup, "lxml")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup.find_all(DROPPED_TAGS):
        tag.decompose()
    for tag in soup.find_all(_is_hidden):
        tag.decompose()
    return soup, title


def soup_text(soup: Any) -> str:
    """Visible text: a line per block element, table cells of one row tab-separated, spaces folded."""
    from bs4 import NavigableString

    for tag in soup.find_all(["td", "th"]):
        tag.insert_after(NavigableString("\t"))
    for tag in soup.find_all(BLOCK_TAGS):
        tag.insert_before(NavigableString("\n"))
        tag.insert_after(NavigableString("\n"))
    return _tidy(soup.get_text(""))


def _is_hidden(tag: Any) -> bool:
    attrs = tag.attrs
    if "hidden" in attrs or str(attrs.get("aria-hidden", "")).lower() == "true":
        return True
    if tag.name == "input" and str(attrs.get("type", "")).lower() == "hidden":
        return True
    return bool(HIDDEN_STYLE.search(str(attrs.get("style", ""))))


def _is_heading(tag: Any) -> bool:
    if tag.name in HEADING_TAGS:
        return True
    if tag.name not in ("strong", "b"):
        return False
    # A <strong>/<b> that is the whole text of its block (a bold line) acts as a heading.
    parent = tag.parent
    return parent is not None and parent.get_text(strip=True) == tag.get_text(strip=True) != ""


def _locate(text: str, headings: list[str]) -> tuple[tuple[int, str], ...]:
    sections: list[tuple[int, str]] = []
    position = 0
    for heading in headings:
        heading = SPACES.sub(" ", heading).strip()
        if not heading:
            continue
        found = text.find(heading, position)
        if found >= 0:
            sections.append((found, heading))
            position = found + len(heading)
    return tuple(sections)


def _strip_tags(markup: str) -> str:
    markup = _sub_through_last(COMMENT, " ", markup, "-->")
    markup = _drop_blocks(markup)
    markup = _sub_through_last(BLOCK_TAG_RE, "\n", markup, ">")
    return html.unescape(_sub_through_last(TAG, "", markup, ">"))


def _drop_blocks(markup: str) -> str:
    """Script, style, noscript and template blocks replaced by a space: each from its start tag to the
    first end tag of the same name. A start tag with no such end tag after it stays (as text to strip).

    One pass: where each name's last end tag is, is known up front, so a flood of unclosed "<script"
    never makes each of them search the rest of the page for an end tag.
    """
    last_end = {name: max((m.start() for m in end.finditer(markup)), default=-1)
                for name, end in DROPPED_BLOCK_ENDS.items()}
    kept: list[str] = []
    position = searched = 0
    while start := DROPPED_BLOCK_START.search(markup, searched):
        name = start.group(1).lower()
        if last_end[name] < start.end():
            searched = start.start() + 1
            continue
        end = DROPPED_BLOCK_ENDS[name].search(markup, start.end())
        assert end is not None  # an end tag of this name lies ahead (last_end)
        kept += [markup[position:start.start()], " "]
        position = searched = end.end()
    kept.append(markup[position:])
    return "".join(kept)


def _tidy(text: str) -> str:
    lines = (SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def is_docx(data: bytes) -> bool:
    """A zip holding a Word body (word/document.xml): what python-docx opens."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return DOCX_BODY in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def docx_text(data: bytes, uri: str) -> tuple[str, str, tuple[tuple[int, str], ...]]:
    """A Word document's text in reading order (paragraphs, and table rows one per line), its title,
    and its sections from the heading styles (or, without any, from heading-like lines)."""
    import docx
    from docx.table import Table

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            body = archive.getinfo(DOCX_BODY)
        if body.file_size > MAX_DOCX_XML_BYTES:
            raise InputError(uri, f"Word document body is {body.file_size} bytes unpacked: more than a policy, not read")
        document = docx.Document(io.BytesIO(data))
    except InputError:
        raise
    except (KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise InputError(uri, f"not a readable Word document (.docx): {type(exc).__name__}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 — python-docx and lxml raise assorted types on a damaged package
        raise InputError(uri, f"not a readable Word document (.docx): {type(exc).__name__}") from None
    lines: list[str] = []
    headings: list[tuple[int, str]] = []
    at = 0
    for block in document.iter_inner_content():
        if isinstance(block, Table):  # one line per row, its cells side by side
            rows = ["  ".join(t for t in (" ".join(c.text.split()) for c in _unique_cells(row.cells)) if t)
                    for row in block.rows]
        else:
            rows = [block.text.strip()]
            style = block.style.name if block.style is not None else ""
            if rows[0] and DOCX_HEADING_STYLE.match(style or ""):
                headings.append((at, rows[0]))
        for row in filter(None, rows):
            lines.append(row)
            at += len(row) + 1
    text = "\n".join(lines)
    title = (document.core_properties.title or "").strip() or (headings[0][1] if headings else "")
    return text, title, tuple(headings) or heading_sections(text)


def _unique_cells(cells: Any) -> list[Any]:
    """A merged cell is repeated for every grid column it spans: each once."""
    seen: set[int] = set()
    unique = []
    for cell in cells:
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            unique.append(cell)
    return unique


def pdf_text(data: bytes, uri: str) -> str:
    """The PDF's text layer; InputError naming `uri` when it is unreadable or has no text (scanned)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # it warns on every odd font; the text is what counts

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(page.extract_text() or "") for page in reader.pages[:MAX_PDF_PAGES]]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise InputError(uri, f"not a readable PDF ({exc.__class__.__name__})") from exc
    text = _tidy("\n".join(pages))
    if not text:
        raise InputError(uri, "no extractable text — likely scanned")
    return text
