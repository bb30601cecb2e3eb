"""Every bound the readers put on their input, in one place.

Inputs come from people who may have built them to break analysers: a zip entry that inflates to
gigabytes, a table that names one long string a million times, markup nested a hundred thousand
deep. Each reader checks its input against these bounds *before* doing the work they bound, and a
bound that bites is said: an input error naming the file, the bound and its value, or a problem
recorded on the target when the rest of the input can still be analysed (see `over`).

The defaults are set so that real apps of 200 MB and more, with tens of dex files and tens of
thousands of entries, and real policies of any length, pass untouched; what they stop is far past
what a build tool or a person writes. Tests tighten them by setting these module attributes; readers
read them at call time (`limits.NAME`), never copy them at import.
"""

from __future__ import annotations

KiB = 2**10
MiB = 2**20
GiB = 2**30

# ——— every target ———
TARGET_SECONDS = 300.0  # wall time of one target's analysis, in process and in a --db batch worker
TARGET_MEMORY_MB = 2048  # address space a target's worker may add to what it inherited
INPUT_MAX_BYTES = 2 * GiB  # an input file (an app, a policy) on disk

# ——— zip (APK) ———
ZIP_MAX_ENTRIES = 200_000  # large apps hold 10–60 thousand
ZIP_MAX_CENTRAL_DIRECTORY_BYTES = 64 * MiB  # read before the entries are counted; ~300 bytes per entry at the limit
ZIP_MAX_TOTAL_BYTES = 8 * GiB  # declared uncompressed size of all entries together
ZIP_MAX_ENTRY_BYTES = 256 * MiB  # an entry the scanner inflates (dex, manifest, resources, layouts, assets)
ZIP_MAX_RATIO = 200  # uncompressed ÷ compressed size of an inflated entry; deflate tops out near 1,032
ZIP_RATIO_FLOOR_BYTES = 1 * MiB  # entries smaller than this are not held to the ratio (padding compresses well)

# ——— binary XML (manifest, layouts) and the resource table ———
MANIFEST_MAX_BYTES = 16 * MiB
BUNDLE_MAX_SPLIT_BYTES = 256 * MiB  # one APK inside an .xapk/.apks/.apkm bundle (stores cap an APK near 200 MB)
ARSC_MAX_BYTES = 128 * MiB
LAYOUT_MAX_BYTES = 4 * MiB  # one layout file
LAYOUTS_MAX_TOTAL_BYTES = 256 * MiB  # all layouts of an app read for their texts
AXML_MAX_DEPTH = 512  # element nesting in a binary XML file; layouts nest a few dozen
RESOURCE_STRINGS_MAX_CHARS = 64 * 2**20  # string resources kept (default, zh and en locales)

# ——— DEX ———
DEX_MAX_TOTAL_BYTES = 1 * GiB  # all dex entries of one app
DEX_DECODED_PER_BYTE = 16  # characters decoded (strings, method and field refs) per byte of dex …
DEX_DECODED_FLOOR = 16 * 2**20  # … plus this many, so small dex files are never near the bound

# ——— documents ———
TEXT_MAX_BYTES = 4 * MiB  # a .txt policy read (longer: the head is analysed and the cut is recorded)
HTML_MAX_BYTES = 4 * MiB  # markup parsed (policy pages with their inline scripts stay under 2 MiB)
TEXT_MAX_CHARS = 500_000  # text analysed: about 20 s of work; the longest real policies run to ~60 000
SENTENCE_MAX_CHARS = 2_000  # a run without a sentence end read as one sentence; real ones stay under ~1,200
HTML_MAX_NESTING = 400  # elements open at once; real pages nest a few dozen
PDF_MAX_BYTES = 256 * MiB
DOCX_MAX_BYTES = 64 * MiB  # a Word policy package (text, styles, a few images); past it the file is refused
DOCX_MAX_BODY_BYTES = 64 * MiB  # its word/document.xml as declared: a policy is far smaller, a zip bomb far larger
PDF_MAX_PAGES = 300  # pages whose text is read
PDF_MAX_STREAM_BYTES = 64 * MiB  # one decoded stream (pypdf's own bounds are set to this)
PDF_MAX_PAGE_TREE = 20_000  # page-tree entries pypdf walks to list the pages


def size(value: float) -> str:
    """A byte count as people read it: 3 MiB, 1.5 GiB, 512 bytes."""
    for unit, scale in (("GiB", GiB), ("MiB", MiB), ("KiB", KiB)):
        if value >= scale:
            return f"{value / scale:.3g} {unit}"
    return f"{value:g} bytes"


def over(what: str, value: str, name: str, limit: str) -> str:
    """The sentence a bound that bites says: what, how much, which bound and its value."""
    return f"{what} {value} exceeds the limit {name} = {limit}"
