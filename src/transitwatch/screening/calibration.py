"""Raw match score -> calibrated probability (Platt scaling with shipped parameters)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import yaml


@dataclass(frozen=True, slots=True)
class Calibration:
    a: float
    b: float
    threshold: float
    fitted_on: str

    def __call__(self, raw: float) -> float:
        return 1.0 / (1.0 + math.exp(-(self.a * raw + self.b)))


@lru_cache(maxsize=1)
def default_calibration() -> Calibration:
    text = resources.files("transitwatch.data").joinpath("calibration.yml").read_text("utf-8")
    data = yaml.safe_load(text)
    return Calibration(
        a=float(data["a"]),
        b=float(data["b"]),
        threshold=float(data["threshold"]),
        fitted_on=str(data["fitted_on"]),
    )
