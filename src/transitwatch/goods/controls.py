"""Control lists as versioned rule data: the built-in lists (``transitwatch/data/controls/``) and
lists a user adds without code.

A user list is a YAML or CSV file.

YAML (``.yml``/``.yaml``)::

    id: eu_833_annex_xxiii          # [a-z0-9_], unique among loaded lists
    name: EU Reg. 833/2014 Annex XXIII (extract)
    version: "2024-06-24"
    valid_from: 2024-06-24
    valid_to:                       # optional, inclusive; empty = still in force
    source: Council Regulation (EU) 833/2014, Annex XXIII, as amended by 2024/1745
    flow: export                    # optional: export | import | transit | any (default any)
    exporter_countries: []          # optional ISO2: the list binds these exporters only
    destinations: [RU, BY]          # optional ISO2 default scope; empty = any destination
    described_as: [uav]             # optional: goods_lexicon.yml categories the list also covers
                                    # whatever the code, when the description names them
    codes:
      - code: "8471"                # HS prefix, 2-10 digits (dots/spaces allowed)
        category: computers         # optional (default: the list name)
        label: Automatic data-processing machines   # optional
        destinations: [RU]          # optional, overrides the list's scope

CSV (``.csv``, UTF-8 or cp1251): one row per code with the columns ``id, name, version,
valid_from, valid_to, source, code`` and optionally ``category, label, destinations, flow,
exporter_countries`` (countries separated by ``;`` or spaces). The list columns may be left
empty after the first row; a different value is an error. ``described_as`` is YAML-only.

Any mistake raises ParseError naming the file, the row (CSV line, or YAML code item) and field.

Built-in lists may also take ``codes_file`` (a YAML file relative to them holding ``codes:``
items ``{hs6, tier, label}`` or ``tiers: {"Tier 1": {label, codes: [...]}}``, with
``category: "CHPL Tier {tier}"`` as the category pattern), and
``parameters`` (e.g. ``start_date``) referenced as ``valid_from: ${start_date}``. A countries
list (``kind: countries``) holds ``countries:`` items ``{country, valid_from, source}`` and names
in ``goods_lists`` the goods lists whose codes it embargoes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from transitwatch.errors import InputError, ParseError
from transitwatch.goods.model import FLOWS, ControlEntry, ControlList, normalize_hs_code
from transitwatch.lists.io import decode_text, read_bytes

BUILTIN_LISTS = ("chpl.yml", "kg_drone_export_ban.yml", "embargo_destinations.yml")

_ID = re.compile(r"^[a-z0-9_]{1,64}$")
_ISO2 = re.compile(r"^[A-Z]{2}$")
_PARAM = re.compile(r"^\$\{(\w+)\}$")
_CSV_LIST_FIELDS = ("id", "name", "version", "valid_from", "valid_to", "source")
_CSV_OPTIONAL_LIST_FIELDS = ("flow", "exporter_countries")


def load_control_list(
    path: str | Path, *, parameters: Mapping[str, object] | None = None
) -> ControlList:
    """A control list from a YAML or CSV file (format in the module docstring)."""
    p = Path(path)
    text = decode_text(read_bytes(p), p, ("utf-8", "cp1251"))
    if p.suffix.lower() == ".csv":
        return _from_csv(text, str(p))
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        raise ParseError(f"not valid YAML ({exc})", path=str(p), row=row) from exc
    if not isinstance(data, dict):
        raise ParseError("expected a YAML mapping with id, name, version ...", path=str(p))
    return _from_mapping(data, p, parameters or {})


def control_list_from_csv(text: str, name: str) -> ControlList:
    """A control list sent as CSV text (e.g. an upload); ``name`` is shown in errors."""
    return _from_csv(text, name)


def control_list_from_mapping(data: Mapping[str, Any], name: str) -> ControlList:
    """A control list sent as parsed YAML (e.g. an upload). It may not name a ``codes_file``:
    that would read a file beside ``name`` on this machine."""
    if "codes_file" in data:
        raise ParseError(
            "codes_file is not accepted in a list sent as text (it names a file): put the "
            "codes in the list",
            path=name,
            field="codes_file",
        )
    return _from_mapping(dict(data), Path(name), {})


def builtin_lists(
    parameters: Mapping[str, Mapping[str, object]] | None = None,
) -> list[ControlList]:
    """The lists shipped in ``transitwatch/data/controls``; ``parameters`` by list id override
    a list's own (e.g. ``{"kg_drone_export_ban": {"start_date": date(2023, 9, 1)}}``)."""
    folder = resources.files("transitwatch.data").joinpath("controls")
    out: list[ControlList] = []
    params = parameters or {}
    for name in BUILTIN_LISTS:
        with resources.as_file(folder.joinpath(name)) as p:
            list_id = Path(name).stem
            out.append(load_control_list(p, parameters=params.get(list_id, {})))
    return out


# -- YAML ---------------------------------------------------------------------------------------


def _from_mapping(data: dict[str, Any], path: Path, overrides: Mapping[str, object]) -> ControlList:
    where = str(path)
    params = dict(data.get("parameters") or {})
    params.update(overrides)

    def resolve(value: object) -> object:
        if isinstance(value, str) and (m := _PARAM.match(value.strip())):
            if m.group(1) not in params:
                raise ParseError(f"unknown parameter {m.group(1)!r}", path=where)
            return params[m.group(1)]
        return value

    list_id = _text(data.get("id"), where, None, "id")
    if not _ID.match(list_id):
        raise ParseError(f"{list_id!r} is not [a-z0-9_]", path=where, field="id")
    valid_from = _date(resolve(data.get("valid_from")), where, None, "valid_from")
    valid_to = _opt_date(resolve(data.get("valid_to")), where, None, "valid_to")
    if valid_to is not None and valid_to < valid_from:
        raise ParseError("valid_to is before valid_from", path=where, field="valid_to")
    kind = str(data.get("kind") or "goods")
    if kind not in ("goods", "countries"):
        raise ParseError(f"{kind!r} is not goods or countries", path=where, field="kind")
    flow = str(data.get("flow") or "any")
    if flow not in FLOWS:
        raise ParseError(f"{flow!r} is not one of {', '.join(FLOWS)}", path=where, field="flow")
    if kind == "countries":
        entries = _country_entries(data.get("countries"), where)
    else:
        template = str(data.get("category") or data.get("name") or list_id)
        if "codes_file" in data:
            codes_path = path.parent / _text(data["codes_file"], where, None, "codes_file")
            entries = _codes_file(codes_path, template)
        else:
            entries = _code_entries(data.get("codes"), where, template)
    return ControlList(
        id=list_id,
        name=_text(data.get("name"), where, None, "name"),
        version=_text(data.get("version"), where, None, "version"),
        valid_from=valid_from,
        valid_to=valid_to,
        source=_text(data.get("source"), where, None, "source"),
        entries=entries,
        kind=kind,
        flow=flow,
        exporter_countries=_countries(
            data.get("exporter_countries"), where, None, "exporter_countries"
        ),
        destinations=_countries(data.get("destinations"), where, None, "destinations"),
        goods_lists=tuple(str(g) for g in data.get("goods_lists") or ()),
        path=where,
        described_as=_categories(data.get("described_as"), where, kind),
    )


def _categories(value: object, where: str, kind: str) -> tuple[str, ...]:
    if value in (None, "", []):
        return ()
    if kind != "goods":
        raise ParseError("only goods lists take described_as", path=where, field="described_as")
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ParseError(
            "expected a list of goods_lexicon.yml categories, e.g. [uav]",
            path=where,
            field="described_as",
        )
    return tuple(v.strip() for v in value)


def _code_entries(items: object, where: str, template: str) -> tuple[ControlEntry, ...]:
    if not isinstance(items, list) or not items:
        raise ParseError("expected a non-empty list of codes", path=where, field="codes")
    out = []
    for i, item in enumerate(items, start=1):
        if isinstance(item, str | int):
            item = {"code": str(item)}
        if not isinstance(item, dict):
            raise ParseError("expected a mapping with code", path=where, row=i, field="codes")
        raw = item.get("code", item.get("hs6", item.get("hs")))
        code = _code(raw, where, i, "code")
        tier = str(item.get("tier", "")).removeprefix("Tier ").strip()
        category = str(item.get("category") or template.format(tier=tier)).strip()
        out.append(
            ControlEntry(
                code=code,
                category=category,
                label=str(item.get("label") or "").strip(),
                destinations=_countries(item.get("destinations"), where, i, "destinations"),
                source=str(item.get("source") or "").strip(),
            )
        )
    return tuple(out)


def _codes_file(path: Path, template: str) -> tuple[ControlEntry, ...]:
    try:
        text = decode_text(read_bytes(path), path)
    except InputError as exc:
        raise ParseError(f"codes_file cannot be read: {exc.message}", path=str(path)) from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ParseError(f"not valid YAML ({exc})", path=str(path)) from exc
    if not isinstance(data, dict):
        raise ParseError("expected a mapping with codes: or tiers:", path=str(path))
    tiers = data.get("tiers")
    if isinstance(tiers, dict):  # {"Tier 1": {label, codes: [...]}, ...}
        items: list[object] = []
        for tier, group in tiers.items():
            if not isinstance(group, dict) or not isinstance(group.get("codes"), list):
                raise ParseError("expected {label, codes: [...]}", path=str(path), field=str(tier))
            label = str(group.get("label") or "")
            items.extend({"code": c, "tier": tier, "label": label} for c in group["codes"])
        return _code_entries(items, str(path), template)
    return _code_entries(data.get("codes"), str(path), template)


def _country_entries(items: object, where: str) -> tuple[ControlEntry, ...]:
    if not isinstance(items, list) or not items:
        raise ParseError("expected a non-empty list of countries", path=where, field="countries")
    out = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ParseError(
                "expected a mapping with country", path=where, row=i, field="countries"
            )
        (country,) = _countries([item.get("country")], where, i, "country")
        out.append(
            ControlEntry(
                code=country,
                category=str(item.get("category") or "embargo destination"),
                label=str(item.get("label") or country),
                valid_from=_opt_date(item.get("valid_from"), where, i, "valid_from"),
                source=str(item.get("source") or "").strip(),
            )
        )
    return tuple(out)


# -- CSV ----------------------------------------------------------------------------------------


def _from_csv(text: str, where: str) -> ControlList:
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    for name in (*_CSV_LIST_FIELDS, "code"):
        if name not in header:
            raise ParseError(f"missing column (header is {header})", path=where, field=name)
    meta: dict[str, str] = {}
    entries: list[ControlEntry] = []
    for row in reader:
        line = reader.line_num
        if None in row:
            raise ParseError("more fields than the header", path=where, row=line)
        values = {k: (v or "").strip() for k, v in row.items()}
        if not any(values.values()):
            continue
        for name in (*_CSV_LIST_FIELDS, *_CSV_OPTIONAL_LIST_FIELDS):
            value = values.get(name, "")
            if not meta:
                continue
            if value and value != meta.get(name, ""):
                raise ParseError(
                    f"{value!r} differs from the first row's {meta.get(name, '')!r}",
                    path=where,
                    row=line,
                    field=name,
                )
        if not meta:
            meta = {n: values.get(n, "") for n in (*_CSV_LIST_FIELDS, *_CSV_OPTIONAL_LIST_FIELDS)}
            meta["_line"] = str(line)
        code = _code(values["code"], where, line, "code")
        entries.append(
            ControlEntry(
                code=code,
                category=values.get("category") or meta["name"],
                label=values.get("label", ""),
                destinations=_countries(values.get("destinations"), where, line, "destinations"),
            )
        )
    if not entries:
        raise ParseError("no codes", path=where)
    first = int(meta["_line"])
    list_id = _text(meta["id"], where, first, "id")
    if not _ID.match(list_id):
        raise ParseError(f"{list_id!r} is not [a-z0-9_]", path=where, row=first, field="id")
    valid_from = _date(meta["valid_from"], where, first, "valid_from")
    valid_to = _opt_date(meta["valid_to"], where, first, "valid_to")
    if valid_to is not None and valid_to < valid_from:
        raise ParseError("valid_to is before valid_from", path=where, row=first, field="valid_to")
    flow = meta["flow"] or "any"
    if flow not in FLOWS:
        raise ParseError(
            f"{flow!r} is not one of {', '.join(FLOWS)}", path=where, row=first, field="flow"
        )
    return ControlList(
        id=list_id,
        name=_text(meta["name"], where, first, "name"),
        version=_text(meta["version"], where, first, "version"),
        valid_from=valid_from,
        valid_to=valid_to,
        source=_text(meta["source"], where, first, "source"),
        entries=tuple(entries),
        flow=flow,
        exporter_countries=_countries(
            meta["exporter_countries"], where, first, "exporter_countries"
        ),
        path=where,
    )


# -- field checks -------------------------------------------------------------------------------


def _text(value: object, where: str, row: int | None, name: str) -> str:
    text = "" if value is None else str(value).strip()
    if not text:
        raise ParseError("required, empty or missing", path=where, row=row, field=name)
    return text


def _date(value: object, where: str, row: int | None, name: str) -> date:
    parsed = _opt_date(value, where, row, name)
    if parsed is None:
        raise ParseError(
            "required date (YYYY-MM-DD), empty or missing", path=where, row=row, field=name
        )
    return parsed


def _opt_date(value: object, where: str, row: int | None, name: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError as exc:
        raise ParseError(
            f"{value!r} is not a date YYYY-MM-DD", path=where, row=row, field=name
        ) from exc


def _code(value: object, where: str, row: int | None, name: str) -> str:
    try:
        return normalize_hs_code("" if value is None else str(value), min_digits=2)
    except InputError as exc:
        raise ParseError(exc.message, path=where, row=row, field=name) from exc


def _countries(value: object, where: str, row: int | None, name: str) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    items = re.split(r"[;,\s]+", value.strip()) if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ParseError("expected a list of ISO2 country codes", path=where, row=row, field=name)
    out = []
    for item in items:
        code = str(item or "").strip().upper()
        if not _ISO2.match(code):
            raise ParseError(
                f"{item!r} is not an ISO2 country code", path=where, row=row, field=name
            )
        out.append(code)
    return tuple(out)
