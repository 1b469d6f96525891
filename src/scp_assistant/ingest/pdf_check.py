"""Why a file that should be a PDF cannot be read, in words a Schulträger's staff understand.

pypdf reports most damage as "Stream has ended unexpectedly", whether the file is cut off, empty or not a PDF at
all (a renamed Word file or a saved web page). The first and last bytes tell these cases apart.
"""

from __future__ import annotations

HEAD_BYTES = 1024  # the PDF header may follow a little junk; readers look this far
TAIL_BYTES = 2048  # "%%EOF" ends the file, possibly followed by some whitespace or junk

_OTHER_FORMATS = (
    (b"PK\x03\x04", "eine ZIP- oder Office-Datei (z. B. Word, PowerPoint)"),
    (b"\xd0\xcf\x11\xe0", "eine ältere Office-Datei (z. B. .doc, .ppt)"),
    (b"\x89PNG", "ein PNG-Bild"),
    (b"\xff\xd8\xff", "ein JPEG-Bild"),
    (b"{\\rtf", "eine RTF-Datei"),
)


def pdf_damage(data: bytes) -> str | None:
    """What is wrong with the bytes of a supposed PDF, or None when nothing is visibly wrong."""
    if not data.strip():
        return "die Datei ist leer"
    head = data[:HEAD_BYTES]
    if b"%PDF-" not in head:
        stripped = head.lstrip()
        kind = next((name for magic, name in _OTHER_FORMATS if stripped.startswith(magic)), None)
        if kind is None and stripped[:15].lower().startswith((b"<!doctype html", b"<html")):
            kind = "eine Webseite (HTML)"
        return f"keine PDF-Datei, sondern {kind}" if kind else "keine PDF-Datei (der PDF-Dateikopf fehlt)"
    if b"%%EOF" not in data[-TAIL_BYTES:]:
        return "die Datei ist unvollständig (das PDF-Dateiende fehlt; Download oder Hochladen abgebrochen?)"
    return None


def unreadable_reason(data: bytes) -> str:
    """The German reason given when pypdf failed on these bytes."""
    damage = pdf_damage(data)
    if damage:
        return f"PDF-Datei ist nicht lesbar: {damage}"
    return "PDF-Datei ist beschädigt und nicht lesbar (bitte neu exportieren oder neu herunterladen)"
