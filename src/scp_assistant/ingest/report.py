"""The ingestion report: what was indexed, what failed and why, what looks suspicious."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class FileIssue:
    path: str
    message: str


@dataclass
class IngestReport:
    corpus_dir: str
    embedder: str
    files: int = 0
    documents: int = 0
    chunks: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    embedded_chunks: int = 0
    failures: list[FileIssue] = field(default_factory=list)
    warnings: list[FileIssue] = field(default_factory=list)
    rebuilt: bool = False
    duration_s: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.failures

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["ok"] = self.ok
        return data

    def render(self) -> str:
        lines = [
            f"Korpus: {self.corpus_dir}  (Embedder {self.embedder})",
            f"Dokumente im Index: {self.documents}, Abschnitte (Chunks): {self.chunks}",
            f"neu: {len(self.added)}, geändert: {len(self.updated)}, unverändert: {self.unchanged}, "
            f"entfernt: {len(self.removed)}, neu eingebettet: {self.embedded_chunks} Chunks, "
            f"Dauer: {self.duration_s:.1f} s",
        ]
        if self.rebuilt:
            lines.append("Index wurde neu aufgebaut (neuer Index oder anderes Embedding-Modell).")
        if self.removed:
            lines.append("Entfernt: " + ", ".join(self.removed))
        if self.failures:
            lines.append(f"FEHLER ({len(self.failures)} Dateien übersprungen, bisheriger Indexstand bleibt):")
            lines.extend(f"  ✗ {f.path}: {f.message}" for f in self.failures)
        if self.warnings:
            lines.append(f"Warnungen ({len(self.warnings)}):")
            lines.extend(f"  ! {w.path}: {w.message}" for w in self.warnings)
        return "\n".join(lines)
