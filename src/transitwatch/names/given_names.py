"""Given names that are one name across Russian, Ukrainian and Belarusian (data/given_names.yml)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from transitwatch.names.fold import fold
from transitwatch.names.translit import to_latin


@lru_cache(maxsize=1)
def _groups() -> dict[str, int]:
    raw = resources.files("transitwatch.data").joinpath("given_names.yml").read_text("utf-8")
    table: dict[str, int] = {}
    for gid, group in enumerate(yaml.safe_load(raw)["groups"]):
        for spelling in group:
            table.setdefault(fold(to_latin(str(spelling))), gid)
    return table


def given_name_group(form: str) -> int | None:
    """The equivalence group of a folded given name (or patronymic root), if it has one."""
    return _groups().get(form)
