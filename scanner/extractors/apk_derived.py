"""Facts derived from the facts stated before: does the app capture faces, and for what?

face.capture needs both a face function the app actually reaches — a face SDK its own code calls, a
face API its own code calls, a face-recognition cloud its own code sends to, or a face SDK screen
declared in the manifest — and a camera (a camera API call or the CAMERA permission). A face SDK that
is only bundled is presence, not use; the system biometric prompt never hands faces to the app.

A face SDK or face API called only from renamed code (short R8/ProGuard names) counts too, with
medium confidence: most commercial apps rename their own code, and shrinking keeps only code the app
can reach, so such a call is likely the app's, though its author cannot be told from the names.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from scanner.extractors.base import ExtractorSpec
from scanner.model import Confidence, Evidence, Location
from scanner.sources.apk import ApkSource

NAME = "apk_derived"
VERSION = 2
EXTRACTOR = f"{NAME}@{VERSION}"
CAMERA_PERMISSION = "android.permission.CAMERA"
UNKNOWN_PURPOSE = "unknown"


def face_use_basis(evidence: Sequence[Evidence]) -> list[Evidence]:
    """Evidence that the app reaches a face function: own calls first, then calls from renamed code,
    then declared SDK screens."""
    basis = [
        ev
        for ev in evidence
        if (ev.kind == "face.sdk" and (ev.attrs.get("called") or ev.attrs.get("renamed_callers")
                                       or "component" in ev.attrs.get("via", ())))
        or (ev.kind in ("face.api_call", "face.upload") and (ev.attrs.get("own_code") or _renamed_call(ev)))
    ]
    return sorted(basis, key=lambda ev: (not _own_call(ev), not _renamed_call(ev)))


def _own_call(ev: Evidence) -> bool:
    return bool(ev.attrs.get("called") if ev.kind == "face.sdk" else ev.attrs.get("own_code"))


def _renamed_call(ev: Evidence) -> bool:
    if ev.kind == "face.sdk":
        return bool(ev.attrs.get("renamed_callers"))
    return ev.kind == "face.api_call" and ev.attrs.get("code_origin") == "obfuscated"


def camera_basis(evidence: Sequence[Evidence]) -> list[Evidence]:
    """Camera API calls (the app's own first), then the CAMERA permission."""
    calls = sorted((ev for ev in evidence if ev.kind == "camera.use"), key=lambda ev: not ev.attrs.get("own_code"))
    return calls + [ev for ev in evidence if ev.kind == "app.permission" and ev.key == CAMERA_PERMISSION]


def purposes(evidence: Sequence[Evidence]) -> list[tuple[str, Evidence | None]]:
    """Each face purpose the UI names (first hint per purpose), or unknown."""
    found: dict[str, Evidence] = {}
    for ev in evidence:
        if ev.kind == "ui.text" and ev.attrs.get("category") == "face_purpose":
            found.setdefault(ev.attrs["purpose"], ev)
    return sorted(found.items()) if found else [(UNKNOWN_PURPOSE, None)]


def _describe(ev: Evidence) -> str:
    if ev.kind == "face.sdk":
        if ev.attrs.get("called"):
            return f"face.sdk {ev.key} called"
        if ev.attrs.get("renamed_callers"):
            return f"face.sdk {ev.key} called from renamed code {', '.join(ev.attrs['renamed_callers'])}"
        return f"face.sdk {ev.key} component declared"
    if ev.kind in ("face.api_call", "camera.use"):
        renamed = " (renamed code)" if ev.attrs.get("code_origin") == "obfuscated" else ""
        return f"{ev.kind} {ev.attrs.get('api')} from {ev.attrs.get('caller')}{renamed}"
    if ev.kind == "face.upload":
        return f"face.upload {ev.key}{ev.attrs.get('path', '')} from {', '.join(ev.attrs.get('callers', []))}"
    if ev.kind == "ui.text":
        return f"ui.text {ev.key}"
    return f"{ev.kind} {ev.key}"


def run(source: ApkSource, evidence: Sequence[Evidence]) -> Iterator[Evidence]:
    face = face_use_basis(evidence)
    camera = camera_basis(evidence)
    if not face or not camera:
        return
    # an own call shows use; a call from renamed code or a declared SDK screen shows reachability
    confidence = Confidence.HIGH if any(_own_call(ev) for ev in face) else Confidence.MEDIUM
    # one face item and one camera item are enough to show a reader why; ids point to all of them
    shown = [face[0], camera[0]]
    for purpose, hint in purposes(evidence):
        basis = shown + ([hint] if hint else [])
        attrs = {
            "purpose": purpose,
            "basis": [_describe(ev) for ev in basis],
            "evidence_ids": [ev.id for ev in face + camera + ([hint] if hint else [])],
        }
        # no snippet: nothing here is quoted from the app; the facts it rests on are cited by id
        location = Location(source.uri, face[0].location.logical)
        yield Evidence("face.capture", purpose, attrs, location, EXTRACTOR, confidence)


SPEC = ExtractorSpec(NAME, VERSION, run, emits=frozenset({"face.capture"}), reads=ApkSource, needs_code=True,
                     consumes=frozenset({"face.sdk", "face.api_call", "face.upload", "camera.use", "app.permission",
                                         "ui.text"}))
