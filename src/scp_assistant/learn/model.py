"""The fitted models and their file: small logistic models stored as JSON (feature names, scaling, weights).

Inference needs numpy only; fitting (``learn/fit.py``) uses scikit-learn. The file is versioned with the code
(``learn/models.json``, trained on the bundled question sets by ``scp-assistant eval train``) and loaded once
when the answer stage is built. A model whose feature names differ from the code's is refused, so a stale
file can never silently score the wrong columns.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from scp_assistant.errors import ConfigError
from scp_assistant.learn.memory import QuestionMemory
from scp_assistant.learn.wording import WordingModel

FORMAT = 1


@dataclass(frozen=True)
class LinearModel:
    """P(y=1 | x) = sigmoid(((x - mean) / scale) · coef + intercept)."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def predict(self, rows: np.ndarray) -> np.ndarray:
        if rows.size == 0:
            return np.zeros(0)
        z = ((rows - np.asarray(self.mean)) / np.asarray(self.scale)) @ np.asarray(self.coef) + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(z, -30, 30))))

    def strongest(self, n: int = 8) -> list[tuple[str, float]]:
        """The features with the largest standardised weights (what the model learned most from)."""
        order = sorted(range(len(self.coef)), key=lambda i: (-abs(self.coef[i]), self.features[i]))
        return [(self.features[i], round(self.coef[i], 3)) for i in order[:n]]

    def check(self, expected: Sequence[str], name: str) -> None:
        if tuple(expected) != self.features:
            raise ConfigError(
                f"Das Modell '{name}' passt nicht zu diesem Code (andere Merkmale). Bitte neu trainieren: "
                "scp-assistant eval train --questions eval/dev.yaml --questions eval/tune.yaml"
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinearModel:
        return cls(
            tuple(data["features"]),
            tuple(float(x) for x in data["mean"]),
            tuple(float(x) for x in data["scale"]),
            tuple(float(x) for x in data["coef"]),
            float(data["intercept"]),
        )


@dataclass(frozen=True)
class SelectionParams:
    """How scored units become an answer; chosen on the training questions (``learn/fit.py``)."""

    refuse_above: float = 0.5  # refusal model probability from which the question is declined
    add_above: float = 0.5  # unit probability from which a further unit joins the answer
    part_above: float = 0.3  # unit probability from which a unit answers a part of a multi-part question
    budget: int = 600  # characters of answer text (without markers)
    multi_part_factor: float = 1.0  # a question of several parts may use this many times the budget
    related_above: float = 0.4  # a declined question shows its best unit as "what the documents do say"
    # sources an answer to a question of one part draws on: a third source was an expected one for 21 % of the
    # answers that had one; out of fold, 2 kept every right answer (291 of 621) and lifted citation precision
    # 0.597 -> 0.613, 1 cost 19 right answers
    max_sources: int = 2
    # a unit from a second source joins the answer to a question of one part only from this probability on
    second_source_above: float = 0.0
    # added to the probability of a unit from a source the answer leads with (the lead's, or for a question of several
    # parts each part's) when further units join: it ranks them higher and lets them join a little below add_above
    same_source_bonus: float = 0.0
    # a further unit ranks this much lower per budget's length of its text (short units that say as much first)
    length_cost: float = 0.0


@dataclass(frozen=True)
class Models:
    unit: LinearModel
    refusal: LinearModel
    params: SelectionParams = field(default_factory=SelectionParams)
    followup: LinearModel | None = None
    info: dict[str, Any] = field(default_factory=dict)  # what it was trained on, when, and how it did
    wording: WordingModel | None = None  # the refusal model's prior from how a question is worded
    memory: QuestionMemory | None = None  # the training questions with their key facts (``learn/memory.py``)

    def to_json(self) -> str:
        data = {
            "format": FORMAT,
            "unit": asdict(self.unit),
            "refusal": asdict(self.refusal),
            "followup": asdict(self.followup) if self.followup else None,
            "wording": self.wording.to_dict() if self.wording else None,
            "params": asdict(self.params),
            "info": self.info,
            "memory": self.memory.to_dict() if self.memory else None,
        }
        return json.dumps(data, ensure_ascii=False, indent=1)

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(self.to_json() + "\n", encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def from_json(cls, text: str) -> Models:
        data = json.loads(text)
        if data.get("format") != FORMAT:
            raise ConfigError(f"Unbekanntes Modellformat {data.get('format')!r} (erwartet {FORMAT})")
        return cls(
            unit=LinearModel.from_dict(data["unit"]),
            refusal=LinearModel.from_dict(data["refusal"]),
            params=_params(data.get("params") or {}),
            followup=LinearModel.from_dict(data["followup"]) if data.get("followup") else None,
            info=dict(data.get("info") or {}),
            wording=WordingModel.from_dict(data["wording"]) if data.get("wording") else None,
            memory=QuestionMemory.from_dict(data["memory"]) if data.get("memory") else None,
        )


def _params(data: dict[str, Any]) -> SelectionParams:
    """The selection parameters of a model file; one this code does not know means the file is newer than the code
    (an answer composed without a learned parameter is not the answer that was measured)."""
    unknown = sorted(set(data) - {f.name for f in fields(SelectionParams)})
    if unknown:
        raise ConfigError(
            f"Die Modelldatei enthält Parameter, die dieser Stand nicht kennt ({', '.join(unknown)}): "
            "Sie ist neuer als der Code. Bitte den Code aktualisieren oder `scp-assistant eval train` ausführen."
        )
    return SelectionParams(**data)


BUNDLED = "models.json"


def load_models(path: Path | None = None) -> Models:
    """The model file at ``path``, or the one shipped with the package."""
    try:
        if path is not None and str(path):
            text = Path(path).read_text(encoding="utf-8")
        else:
            text = resources.files("scp_assistant.learn").joinpath(BUNDLED).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"Modelldatei nicht gefunden ({path or BUNDLED}). Trainieren mit: scp-assistant eval train"
        ) from exc
    return Models.from_json(text)
