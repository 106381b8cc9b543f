"""Find the list files in a data folder and turn them into load jobs, in the order to load them.

Pure: it only looks at file names (no parsing, no store). The staged layout (one sub-folder per
publisher, each with a PROVENANCE.md) is::

    ofac_sdn/                    sdn_<date>.csv.gz (several versions), alt_<date>.csv.gz,
                                 add_<date>.csv.gz, sdn_comments_<date>.csv,
                                 ofac_nonsdn_cons_{prim,alt,add,comments}_<date>.csv.gz
    uk_sanctions_list/           subjects, subject_names, subject_dobs, subject_identifiers,
                                 subject_countries (.csv.gz)
    un_sc_consolidated/          un_consolidated_<date>.xml.gz
    eu_official_journal_russia/  eu_<celex>_consolidated.csv.gz (five annex files, one list)
    bis_party_lists/             dpl_<date>.txt.gz, bis_mieu_list.csv

Plain, undated names as the publishers serve them (``sdn.csv``, ``alt.csv``, ``cons_prim.csv``,
``dpl.txt``, ``mieu.csv``...) are recognised too. A data folder holding FollowTheMoney exports
(``*.ftm.json``, ``entities.ftm.json.gz``) gives one ``ftm`` job per file. Missing folders and
files are skipped silently: :func:`discover` returns what exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

_DATE = r"(?P<date>\d{4}-\d{2}(?:-\d{2})?)"
_GZ = r"(?:\.gz)?"

_SDN = re.compile(rf"^sdn(?:_{_DATE})?\.csv{_GZ}$", re.IGNORECASE)
_SDN_ALT = re.compile(rf"^alt(?:_{_DATE})?(?P<extra>_[a-z_]+)?\.csv{_GZ}$", re.IGNORECASE)
_SDN_ADD = re.compile(rf"^add(?:_{_DATE})?(?P<extra>_[a-z_]+)?\.csv{_GZ}$", re.IGNORECASE)
_SDN_COMMENTS = re.compile(rf"^sdn_comments(?:_{_DATE})?\.csv{_GZ}$", re.IGNORECASE)


def _cons(part: str) -> re.Pattern[str]:
    return re.compile(
        rf"^(?:ofac_nonsdn_)?cons_{part}(?:_{_DATE})?(?P<extra>_[a-z_]+)?\.csv{_GZ}$",
        re.IGNORECASE,
    )


_UK_TABLES = (
    "subjects",
    "subject_names",
    "subject_dobs",
    "subject_identifiers",
    "subject_countries",
)
_UN = re.compile(rf"^.*?(?:_{_DATE})?\.xml{_GZ}$", re.IGNORECASE)
_EU = re.compile(rf"^.*\.csv{_GZ}$", re.IGNORECASE)
_DPL = re.compile(rf"^dpl(?:_{_DATE})?\.txt{_GZ}$", re.IGNORECASE)
_MIEU = re.compile(rf"^.*mieu.*?(?:_{_DATE})?\.csv{_GZ}$", re.IGNORECASE)
_FTM = re.compile(r"^.+\.ftm\.json(?:l)?(?:\.gz)?$", re.IGNORECASE)


class LoadJob(NamedTuple):
    """One version of one source to parse and store: ``(source, files)``."""

    source: str
    files: list[Path]


class _Dated(NamedTuple):
    date: str | None
    path: Path
    second_choice: bool  # a re-saved variant (e.g. "_with_header"): used only if nothing else


def _files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.is_file())


def _match(files: Iterable[Path], pattern: re.Pattern[str]) -> list[_Dated]:
    found: list[_Dated] = []
    for path in files:
        m = pattern.match(path.name)
        if m is None:
            continue
        groups = m.groupdict()
        found.append(_Dated(groups.get("date"), path, bool(groups.get("extra"))))
    return found


def _in_order(items: Iterable[_Dated]) -> list[_Dated]:
    """Dated files oldest first, then undated ones by name."""
    return sorted(items, key=lambda d: (d.date is None, d.date or "", d.path.name))


def _companion(candidates: list[_Dated], date: str | None, *, exact: bool) -> _Dated | None:
    """The companion file for a primary file of ``date``: see :func:`_versioned_set`."""
    if date is None:
        undated = [c for c in candidates if c.date is None and not c.second_choice]
        return undated[0] if undated else None
    later = [c for c in candidates if c.date is not None and c.date >= date]
    if exact:
        later = [c for c in later if c.date == date]
    for pool in ([c for c in later if not c.second_choice], later):
        if pool:
            return min(pool, key=lambda c: (c.date or "", c.path.name))
    return None


def _versioned_set(
    files: list[Path], primary: re.Pattern[str], companions: Iterable[re.Pattern[str]]
) -> list[list[Path]]:
    """One file list per dated primary file (oldest first), with its paired companions.

    OFAC publishes the primary records (sdn.csv / cons_prim.csv) with companion files - aliases
    (alt), addresses (add) and remark continuations (comments) - keyed by ent_num. The staged
    copies were captured on different days, so each primary version is paired, per companion
    kind, with the file whose date is the **closest not earlier** than its own: a later alias
    or address file still covers every entity listed at that date (entities delisted meanwhile
    just have no rows; rows for entities designated later are orphans the parser reports and
    skips), while an earlier one would miss everything designated since. Re-saved variants
    (``alt_2024-09-25_with_header``) are used only when no regular file qualifies. Thus
    sdn_2024-07-02 is loaded with alt_2026-06-02, add_2026-06-02 and sdn_comments_2025-02-27.

    A version with a same-day companion (a set published together, such as the 2021-04-25
    sdn/alt/add triple) is loaded as published: companions from other days are not mixed into
    it (the comments file continues remarks truncated at that day's positions). Companions
    dated before every primary file are not used. An undated primary file (``sdn.csv``) is
    paired with undated companions only.
    """
    pools = [_match(files, pattern) for pattern in companions]
    jobs: list[list[Path]] = []
    for prim in _in_order(_match(files, primary)):
        same_day = prim.date is not None and any(
            c.date == prim.date for pool in pools for c in pool
        )
        chosen = [_companion(pool, prim.date, exact=same_day) for pool in pools]
        jobs.append([prim.path] + [c.path for c in chosen if c is not None])
    return jobs


def _ofac(folder: Path) -> list[LoadJob]:
    files = _files(folder)
    sdn = _versioned_set(files, _SDN, (_SDN_ALT, _SDN_ADD, _SDN_COMMENTS))
    cons = _versioned_set(files, _cons("prim"), (_cons("alt"), _cons("add"), _cons("comments")))
    return [LoadJob("us_ofac_sdn", f) for f in sdn] + [LoadJob("us_ofac_cons", f) for f in cons]


def _uk(folder: Path) -> list[LoadJob]:
    by_table: dict[str, Path] = {}
    for path in _files(folder):
        name = path.name.lower()
        for table in _UK_TABLES:
            if name in (f"{table}.csv", f"{table}.csv.gz"):
                by_table.setdefault(table, path)
    if "subjects" not in by_table:
        return []
    return [LoadJob("gb_fcdo_sanctions", [by_table[t] for t in _UK_TABLES if t in by_table])]


def _each(source: str, pattern: re.Pattern[str]) -> Callable[[Path], list[LoadJob]]:
    """Every matching file is one version of ``source``, in date order."""

    def jobs(folder: Path) -> list[LoadJob]:
        return [LoadJob(source, [d.path]) for d in _in_order(_match(_files(folder), pattern))]

    return jobs


def _eu(folder: Path) -> list[LoadJob]:
    files = [d.path for d in _match(_files(folder), _EU)]
    return [LoadJob("eu_journal_sanctions", files)] if files else []


def _bis(folder: Path) -> list[LoadJob]:
    return _each("us_bis_denied", _DPL)(folder) + _each("us_bis_mieu", _MIEU)(folder)


# Folder name -> job builder, in the order the sources are loaded.
LAYOUT: tuple[tuple[str, Callable[[Path], list[LoadJob]]], ...] = (
    ("ofac_sdn", _ofac),
    ("uk_sanctions_list", _uk),
    ("un_sc_consolidated", _each("un_sc_sanctions", _UN)),
    ("eu_official_journal_russia", _eu),
    ("bis_party_lists", _bis),
)


def discover(data_dir: Path) -> list[LoadJob]:
    """The load jobs ``(source, files)`` for the list files in ``data_dir``, in load order.

    Sources come in this order: us_ofac_sdn (every dated version, oldest first), us_ofac_cons,
    gb_fcdo_sanctions, un_sc_sanctions, eu_journal_sanctions, us_bis_denied, us_bis_mieu, then
    one ``ftm`` job per FollowTheMoney export found directly in ``data_dir``.
    """
    root = Path(data_dir).expanduser()
    jobs: list[LoadJob] = []
    for folder, build in LAYOUT:
        jobs.extend(build(root / folder))
    jobs.extend(LoadJob("ftm", [p]) for p in _files(root) if _FTM.match(p.name))
    return jobs
