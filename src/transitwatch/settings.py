"""Settings, declared once: name, default, help, parser.

Each setting is read from a ``TRANSITWATCH_<NAME>`` environment variable. An invalid value
raises :class:`~transitwatch.errors.ConfigError`; nothing silently falls back to a default.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transitwatch.errors import ConfigError

PREFIX = "TRANSITWATCH_"


def _default_db() -> str:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(base) / "transitwatch" / "transitwatch.duckdb")


def _calibrated_threshold() -> float:
    from transitwatch.screening.calibration import default_calibration

    return default_calibration().threshold


def _probability(raw: str) -> float:
    value = float(raw)
    if not 0.0 <= value <= 1.0:
        raise ValueError("must be between 0 and 1")
    return value


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError("must be a positive whole number")
    return value


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be true or false (also 1/0, yes/no, on/off)")


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError("must be zero or a positive whole number")
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    default: Callable[[], Any]
    help: str
    parse: Callable[[str], Any]

    @property
    def env(self) -> str:
        return PREFIX + self.name.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("db", _default_db, "Path of the DuckDB store file.", str),
    Setting(
        "data",
        lambda: str(Path("../shared/data")),
        "Directory holding the staged public data (list files, CHPL, HS, trade statistics).",
        str,
    ),
    Setting(
        "threshold",
        _calibrated_threshold,
        "Screening threshold: hits scoring below it are not reported (default: the threshold "
        "fitted with the calibration, data/calibration.yml).",
        _probability,
    ),
    Setting(
        "workers",
        lambda: min(2, os.cpu_count() or 1),
        "Worker processes for batch screening (1 = in-process).",
        _positive_int,
    ),
    Setting(
        "max_hits",
        lambda: 10,
        "Most hits returned for one screened name.",
        _positive_int,
    ),
    Setting(
        "max_name_length",
        lambda: 300,
        "Longest name (in characters) accepted for screening; longer ones are rejected per row.",
        _positive_int,
    ),
    Setting(
        "candidates",
        lambda: 0,
        "Candidates scored per query (0 = automatic).",
        _non_negative_int,
    ),
    Setting(
        "api_keys_required",
        lambda: False,
        "HTTP API: require an API key for reads too (writes always need one).",
        _bool,
    ),
    Setting(
        "max_batch",
        lambda: 1000,
        "HTTP API: most queries in one batch-screening request.",
        _positive_int,
    ),
    Setting(
        "max_body_bytes",
        lambda: 5 * 1024 * 1024,
        "HTTP API: largest request body accepted, in bytes.",
        _positive_int,
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str, environ: Mapping[str, str] | None = None) -> Any:
    """Return the value of one setting, parsed; raise ConfigError on an invalid value."""
    setting = _BY_NAME[name]
    env = os.environ if environ is None else environ
    raw = env.get(setting.env)
    if raw is None or raw == "":
        return setting.default()
    try:
        return setting.parse(raw)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{setting.env}={raw!r} is not valid: {exc}. ({setting.help})") from exc


def describe() -> list[tuple[str, str, str]]:
    """(environment variable, default, help) for every setting, for docs and `--help`."""
    return [(s.env, str(s.default()), s.help) for s in SETTINGS]
