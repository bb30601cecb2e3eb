"""What the scanner accepts as input, recognised from names and first bytes before anything is parsed:
the suffixes, what a zip holds, whether a path is a regular file, and the walk of a directory.

The single-scan pipeline and the worker machinery both start here, so that a file is named, hashed and
classified the same way wherever it is scanned.
"""

from __future__ import annotations

import hashlib
import os
import stat
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from scanner.errors import InputError

POLICY_SUFFIXES = (".html", ".htm", ".txt", ".pdf", ".docx")
BUNDLE_SUFFIXES = (".xapk", ".apks", ".apkm")  # a zip of a base APK and its splits (scanner.sources.apk)
APP_SUFFIXES = (".apk", *BUNDLE_SUFFIXES, ".aab")
SCANNABLE_SUFFIXES = (*APP_SUFFIXES, *POLICY_SUFFIXES)
_SPECIAL = ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
            (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory"))


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_zip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(4) == b"PK\x03\x04"


def zip_kind(path: Path) -> str:
    """What a zip holds, by its entry names: an apk, a bundle of APKs, an aab, a Word document, or
    "zip" (none of these, or no readable directory)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return "zip"
    if "AndroidManifest.xml" in names:
        return "apk"
    if "base/manifest/AndroidManifest.xml" in names:
        return "aab"
    if "word/document.xml" in names:
        return "docx"
    if any(n.lower().endswith(".apk") for n in names):
        return "bundle"
    return "zip"


def not_a_regular_file(path: Path) -> str:
    """Why `path` must not be read, or "" for a regular file (reading a FIFO blocks forever, a device
    never ends)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return "cannot read: a dangling link or a file that vanished"
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            return "not read: a symlink loop"
        return f"cannot read: {exc.strerror or exc}"
    if stat.S_ISREG(mode):
        return ""
    what = next((name for test, name in _SPECIAL if test(mode)), "a special file")
    return f"not read: not a regular file ({what})"


def expand_inputs(paths: Iterable[Path]) -> Iterator[Path | InputError]:
    """Files as given; directories walked (sorted) for scannable files. Missing paths become errors;
    so do links to directories inside a walked tree, which are not followed (a link back up the tree
    would make the walk endless)."""
    for path in paths:
        path = Path(path)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for name in list(dirs):
                    if os.path.islink(os.path.join(root, name)):
                        yield InputError(os.path.join(root, name), "not followed: a link to a directory")
                for name in sorted(files):
                    if name.lower().endswith(SCANNABLE_SUFFIXES):
                        yield Path(root) / name
        elif path.exists() or path.is_symlink():
            yield path
        else:
            yield InputError(str(path), "no such file or directory")
