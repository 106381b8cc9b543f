"""`make demo`: load every list found in the data folder and screen a few real-world style names.

Run as ``python -m transitwatch.demo [--data DIR] [--db PATH]``. The store defaults to
``build/demo.duckdb`` (or $TRANSITWATCH_DB), so the demo never touches an analyst's own store.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.rule import Rule
from rich.text import Text

from transitwatch import settings
from transitwatch.cli.main import app
from transitwatch.cli.screen import build_screener, print_hits
from transitwatch.errors import TransitWatchError
from transitwatch.screening.types import PartyQuery
from transitwatch.store import open_store

# (what it shows, query) — names as a customs officer or a bank would type them.
DEMO_QUERIES: list[tuple[str, PartyQuery]] = [
    (
        "A Kyrgyz person on OFAC's SDN list, typed in Cyrillic with the Kyrgyz patronymic",
        PartyQuery("Колбаев Камчыбек Асанбек уулу", schema="person", birth_date="1974-08-03"),
    ),
    (
        "An EU Annex IV end user in Bishkek, in Cyrillic with the Kyrgyz legal form ОсОО",
        PartyQuery("ОсОО «Мюллер Маркт»", country="KG"),
    ),
    (
        "A Kazakh partnership, Kazakh-language legal form ЖШС",
        PartyQuery("ЖШС «Элем Груп»", country="KZ"),
    ),
    ("An Uzbek company with the Uzbek legal form MChJ", PartyQuery("Mvizion MChJ", country="UZ")),
    ("An Armenian supplier", PartyQuery("Tako LLC", country="AM")),
    (
        "A Russian official in German transcription, patronymic and all",
        PartyQuery("Sergej Walerjewitsch Aksjonow", schema="person"),
    ),
    (
        "A Bishkek company designated by OFAC, in Cyrillic, with its Kyrgyz tax number",
        PartyQuery("ОсОО «РМ Дизайн энд Девелопмент»", identifier="01703202210110"),
    ),
    (
        "An ordinary Kyrgyz forwarder that is on no list",
        PartyQuery("ОсОО «Ак-Жол Транс Сервис»", country="KG"),
    ),
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=None, help="data folder (default: $TRANSITWATCH_DATA)")
    parser.add_argument("--db", default=None, help="store file (default: build/demo.duckdb)")
    args = parser.parse_args(argv)
    console = Console(highlight=False)
    try:
        data = Path(args.data or settings.get("data")).expanduser()
        db = Path(args.db or os.environ.get("TRANSITWATCH_DB") or "build/demo.duckdb")
    except TransitWatchError as exc:
        console.print(Text(f"error: {exc.message}", style="bold red"))
        return exc.exit_code
    if not data.is_dir():
        console.print(
            Text(
                f"error: no data folder at {data}. Put the staged public data there "
                "(../shared/data) or set TRANSITWATCH_DATA.",
                style="bold red",
            )
        )
        return 2
    db.parent.mkdir(parents=True, exist_ok=True)
    console.print(Rule(f"1. Loading every list found in {data}"))
    try:
        app(["--db", str(db), "lists", "load-all", str(data)], standalone_mode=False)
        app(["--db", str(db), "lists"], standalone_mode=False)
        console.print(Rule("2. What changed on OFAC's SDN list since the day before the invasion"))
        app(
            [
                "--db",
                str(db),
                "lists",
                "diff",
                "us_ofac_sdn",
                "2022-02-23",
                "latest",
                "--limit",
                "5",
            ],
            standalone_mode=False,
        )
    except SystemExit as exc:  # a subcommand that failed has already said why
        if exc.code:
            return int(exc.code)
    console.print(Rule("3. Screening parties against every loaded list"))
    with open_store(db) as st:
        started = time.perf_counter()
        screener, versions = build_screener(st)
        console.print(
            f"Indexed {len(screener.index.entities):,} entities, "
            f"{len(screener.index.names):,} names in {time.perf_counter() - started:.1f} s; "
            f"threshold {screener.default_threshold:.2f}."
        )
        for what, query in DEMO_QUERIES:
            extra = ", ".join(
                f"{k} {v}"
                for k, v in (
                    ("type", query.schema),
                    ("country", query.country),
                    ("born", query.birth_date),
                    ("identifier", query.identifier),
                )
                if v
            )
            console.print()
            console.print(Text(what, style="italic"))
            console.print(
                Text(f"> {query.name}" + (f"  ({extra})" if extra else ""), style="bold cyan")
            )
            t0 = time.perf_counter()
            hits = screener.screen(query, limit=3)
            ms = (time.perf_counter() - t0) * 1000
            st.record_screening(query, hits, versions)
            print_hits(hits)
            console.print(Text(f"   ({ms:.1f} ms)", style="dim"))
    console.print()
    console.print(
        "Next: `transitwatch screen parties QUERIES.csv --output HITS.jsonl`, "
        f"`transitwatch --db {db} rescreen` after loading a newer list version."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
