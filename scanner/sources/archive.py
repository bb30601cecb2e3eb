"""A zip archive opened with its bounds checked before anything is inflated.

Before `zipfile` builds one object per entry, the central directory's size is checked; then the
entry count, the declared total size, entries that overlap (the same compressed bytes serving many
entries, as non-recursive zip bombs do) and names listed twice (Android refuses those packages)
make an input error. Entries flagged as encrypted are read as Android reads them — it ignores the
flag — and said as a problem. Every entry the scanner inflates goes through `inflate`, which checks
its declared size and compression ratio first, so a reader never holds more than the bound.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from scanner import limits
from scanner.errors import InputError

_ENCRYPTED = 0x1
_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature … file name length, extra field length
# NotImplementedError: a damaged header claiming an unknown zip version or compression method.
ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


class EntryLimit(Exception):
    """An entry the scanner will not inflate; the message says which bound and its value."""


def open_zip(uri: str, raw: bytes) -> tuple[zipfile.ZipFile, list[str]]:
    """The archive and the problems worth recording; InputError when it cannot be read safely."""
    buffer = io.BytesIO(raw)
    if not zipfile.is_zipfile(buffer):
        if raw.startswith(b"PK\x03\x04"):
            raise InputError(uri, "truncated or corrupt zip: no central directory")
        raise InputError(uri, "not a zip archive")
    _check_directory_size(uri, buffer)
    try:
        archive = zipfile.ZipFile(buffer)
    except ZIP_ERRORS as exc:
        raise InputError(uri, f"truncated or corrupt zip: {exc}") from None
    infos = archive.infolist()
    if len(infos) > limits.ZIP_MAX_ENTRIES:
        raise InputError(uri, limits.over("zip of", f"{len(infos)} entries", "ZIP_MAX_ENTRIES", str(limits.ZIP_MAX_ENTRIES)))
    total = sum(i.file_size for i in infos)
    if total > limits.ZIP_MAX_TOTAL_BYTES:
        raise InputError(uri, limits.over("zip entries declaring", limits.size(total), "ZIP_MAX_TOTAL_BYTES",
                                          limits.size(limits.ZIP_MAX_TOTAL_BYTES)))
    _check_names(uri, archive)
    _check_overlaps(uri, raw, infos)
    return archive, _honour_encrypted_flags(infos)


def _check_directory_size(uri: str, buffer: io.BytesIO) -> None:
    end = zipfile._EndRecData(buffer)  # type: ignore[attr-defined]  # the reader zipfile itself uses
    directory = end[zipfile._ECD_SIZE] if end else 0  # type: ignore[attr-defined]
    if directory > limits.ZIP_MAX_CENTRAL_DIRECTORY_BYTES:
        raise InputError(uri, limits.over("zip central directory of", limits.size(directory),
                                          "ZIP_MAX_CENTRAL_DIRECTORY_BYTES", limits.size(limits.ZIP_MAX_CENTRAL_DIRECTORY_BYTES)))


def _check_names(uri: str, archive: zipfile.ZipFile) -> None:
    names = archive.namelist()
    if len(set(names)) != len(names):
        seen: set[str] = set()
        twice = next(n for n in names if n in seen or seen.add(n))  # type: ignore[func-returns-value]
        raise InputError(uri, f"zip lists entry {twice!r} {names.count(twice)} times (Android refuses duplicate entries)")


def _check_overlaps(uri: str, raw: bytes, infos: list[zipfile.ZipInfo]) -> None:
    """Each entry's local header and data must end before the next entry's header begins."""
    previous_end, previous = 0, ""
    for info in sorted(infos, key=lambda i: i.header_offset):
        start = info.header_offset
        if start < previous_end:
            raise InputError(uri, f"zip entries overlap: {info.filename!r} starts inside {previous!r} "
                                  "(the same bytes serving several entries: a zip bomb's construction)")
        try:
            signature, name_length, extra_length = _LOCAL_HEADER.unpack_from(raw, start)
        except struct.error:
            raise InputError(uri, f"truncated or corrupt zip: entry {info.filename!r} lies past the end") from None
        if signature != b"PK\x03\x04":
            raise InputError(uri, f"truncated or corrupt zip: no local header for entry {info.filename!r}")
        previous_end = start + _LOCAL_HEADER.size + name_length + extra_length + info.compress_size
        previous = info.filename


def _honour_encrypted_flags(infos: list[zipfile.ZipInfo]) -> list[str]:
    flagged = [i for i in infos if i.flag_bits & _ENCRYPTED]
    for info in flagged:
        info.flag_bits &= ~_ENCRYPTED
    if not flagged:
        return []
    return [f"{len(flagged)} zip entries flagged as encrypted (e.g. {flagged[0].filename}); read as Android reads them, "
            "ignoring the flag (a trick to stop analysers)"]


def inflate(archive: zipfile.ZipFile, name: str, bound: str = "ZIP_MAX_ENTRY_BYTES") -> bytes:
    """Entry `name` whole, if its declared size is within the bound named (a `limits` attribute, itself
    capped by ZIP_MAX_ENTRY_BYTES) and its compression ratio within ZIP_MAX_RATIO; EntryLimit if not.
    KeyError if absent; the zip errors of `zipfile` if it is damaged."""
    info = archive.getinfo(name)
    cap = min(getattr(limits, bound), limits.ZIP_MAX_ENTRY_BYTES)
    if info.file_size > cap:
        raise EntryLimit(limits.over(f"{name}: uncompressed size", limits.size(info.file_size), bound, limits.size(cap)))
    if info.file_size > limits.ZIP_RATIO_FLOOR_BYTES and info.file_size > limits.ZIP_MAX_RATIO * max(info.compress_size, 1):
        ratio = info.file_size / max(info.compress_size, 1)
        raise EntryLimit(limits.over(f"{name}: compression ratio", f"{ratio:.0f}:1", "ZIP_MAX_RATIO",
                                     f"{limits.ZIP_MAX_RATIO}:1"))
    with archive.open(info) as entry:
        # read(n) inflates at most about n bytes; read() would inflate the whole deflate stream, which
        # may run on far past the size the headers declare, before cutting it to that size
        return entry.read(info.file_size)
