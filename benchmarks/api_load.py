"""HTTP load test: single-name `POST /screen` at 50 concurrent clients, on loopback only.

    python benchmarks/api_load.py [--store build/demo.duckdb | --data ../shared/data]
                                  [--clients 50] [--requests 3000] [--seconds 60]
                                  [--single 300] [--health 3000]

Copies the given store (or loads every list of the data folder into a new one with
`transitwatch lists load-all`) into a temporary folder, starts the API with uvicorn on
127.0.0.1 and a free port in a subprocess, waits until it has indexed the lists, then
measures, against the same server in the same run:

1. ``GET /health`` from ``--clients`` concurrent clients (``--health`` requests): the
   baseline - what the server, the HTTP stack and this load generator manage on this machine
   now, whatever else runs on it;
2. ``POST /screen`` from one client (``--single`` requests, one at a time);
3. ``POST /screen`` from ``--clients`` concurrent clients until ``--requests`` are done or
   ``--seconds`` have passed.

The names are realistic (half listed names, reordered or shortened; half recombinations),
distinct between phases 2 and 3 so that phase 3 opens its own cases. Each client is one
keep-alive HTTP/1.1 connection driven by asyncio streams (a few microseconds of client CPU per
request, where httpx spends about a millisecond: the generator shares the cores with the
server). Prints throughput, p50/p90/p99 latency, the server's CPU time per request and the
ratios against the /health baseline, writes benchmarks/out/api_load.json, and stops the
server. No traffic leaves 127.0.0.1.

    python benchmarks/api_load.py --decisions [--clients 50] [--cases 40] [--requests 3000]
                                              [--seconds 60]

The decisions mode builds its own store (a synthetic list of ``--cases`` companies, one API
key per client, half analysts, half supervisors). It opens the cases concurrently: every
client screens four spellings of every company name (one normalised name, so one case per
company and listed entity), each client in its own order; then ``POST /screen/batch`` names
the cases to decide. Then ``--clients`` concurrent clients post random decisions (confirm,
dismiss, escalate, reopen) on random cases while ``--screeners`` more clients (2) keep
screening the same names. After stopping the server it reads the store and checks that the
audit trail holds exactly the decisions acknowledged with 2xx - none lost, none duplicated -
and that every case's trail is one unbroken chain (seq 1..n, each decision starting from the
status the previous one left); and that every case id an answer named is stored (none lost),
no subject has two rows (none duplicated), no stored case went unnamed, and every spelling of
a name got the same case id for the same entity. Writes benchmarks/out/api_decisions.json.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import percentile, sample_queries
from transitwatch.store import open_store

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[1]
SERVER = (
    "import sys, uvicorn\n"
    "from transitwatch.api import create_app\n"
    "uvicorn.run(create_app(sys.argv[1]), host=sys.argv[2], port=int(sys.argv[3]),"
    " log_level='warning', access_log=False)\n"
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        port: int = s.getsockname()[1]
        return port


def prepare_store(args: argparse.Namespace, tmp: Path) -> Path:
    db = tmp / "load.duckdb"
    if args.store is not None and args.store.exists():
        shutil.copyfile(args.store, db)
        return db
    cmd = [sys.executable, "-m", "transitwatch.cli.main", "--db", str(db), "lists", "load-all"]
    subprocess.run([*cmd, str(args.data)], check=True, cwd=ROOT)
    return db


def wait_ready(base: str, proc: subprocess.Popen[bytes], timeout: float) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with status {proc.returncode}")
        try:
            if httpx.get(f"{base}/health", timeout=1.0).json().get("status") == "ok":
                return time.perf_counter() - started
        except (httpx.HTTPError, ValueError):
            pass
        time.sleep(0.2)
    raise SystemExit(f"the server was not ready after {timeout:.0f} s")


class Connection:
    """One keep-alive HTTP/1.1 connection on asyncio streams: just enough for this server's
    JSON answers (Content-Length bodies), at a fraction of an HTTP library's client CPU."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"") -> tuple[int, bytes]:
        if self._reader is None or self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        reader, writer = self._reader, self._writer
        head = f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n"
        if body or method == "POST":
            head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
        writer.write(head.encode("ascii") + b"\r\n" + body)
        try:
            status_line = await reader.readline()
            status = int(status_line.split(b" ", 2)[1])
            length, close = 0, False
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
                elif name == b"transfer-encoding":
                    raise ConnectionError("chunked answers are not handled")
            data = await reader.readexactly(length)
        except (IndexError, ValueError, asyncio.IncompleteReadError) as exc:
            await self.close()
            raise ConnectionError(f"bad answer: {exc}") from exc
        if close:
            await self.close()
        return status, data

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            with contextlib.suppress(OSError):
                await self._writer.wait_closed()
        self._reader = self._writer = None


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) the process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def load(
    port: int,
    requests: list[tuple[str, str, bytes]],
    clients: int,
    seconds: float,
    pid: int,
) -> dict[str, Any]:
    """Send ``requests`` (method, path, body) from ``clients`` connections; figures."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    failures = 0
    with_hits = 0
    issued = 0
    deadline = time.perf_counter() + seconds

    async def client() -> None:
        nonlocal issued, failures, with_hits
        conn = Connection(HOST, port)
        try:
            while issued < len(requests) and time.perf_counter() < deadline:
                method, path, body = requests[issued]
                issued += 1
                t = time.perf_counter()
                try:
                    status, data = await conn.request(method, path, body)
                except (OSError, ConnectionError):
                    failures += 1
                    await conn.close()
                    continue
                latencies.append(time.perf_counter() - t)
                statuses[status] = statuses.get(status, 0) + 1
                if status == 200 and path == "/screen" and json.loads(data)["hits"]:
                    with_hits += 1
        finally:
            await conn.close()

    cpu = server_cpu(pid)
    started = time.perf_counter()
    await asyncio.gather(*(client() for _ in range(clients)))
    elapsed = time.perf_counter() - started
    cpu = server_cpu(pid) - cpu
    done = len(latencies)
    return {
        "clients": clients,
        "requests": done,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "client_failures": failures,
        "with_hits": with_hits,
        "seconds": round(elapsed, 2),
        "throughput_rps": round(done / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 2) if done else None,
        "p90_ms": round(percentile(latencies, 90) * 1000, 2) if done else None,
        "p99_ms": round(percentile(latencies, 99) * 1000, 2) if done else None,
        "server_cpu_ms_per_request": round(cpu * 1000 / done, 2) if done else None,
    }


def screen_requests(names: list[tuple[str, str | None]]) -> list[tuple[str, str, bytes]]:
    return [
        ("POST", "/screen", json.dumps({"name": n, "type": t}).encode("utf-8")) for n, t in names
    ]


def show(label: str, r: dict[str, Any]) -> str:
    return (
        f"{label:<28} {r['requests']:>6,} req in {r['seconds']:>5.1f} s: "
        f"{r['throughput_rps']:>7.1f} req/s, p50 {r['p50_ms']} ms, p90 {r['p90_ms']} ms, "
        f"p99 {r['p99_ms']} ms, server CPU {r['server_cpu_ms_per_request']} ms/req, "
        f"statuses {r['statuses']}, {r['client_failures']} failures"
    )


def start_server(db: Path, src: Path | None = None) -> tuple[str, subprocess.Popen[bytes]]:
    """The API over ``db`` in a subprocess, importing transitwatch from ``src`` if given."""
    port = free_port()
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(src), env.get("PYTHONPATH", "")]).rstrip(
            os.pathsep
        )
    cmd = [sys.executable, "-c", SERVER, str(db), HOST, str(port)]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env)
    return f"http://{HOST}:{port}", proc


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def decisions_store(db: Path, n_cases: int, clients: int) -> tuple[list[str], list[str]]:
    """A store with ``n_cases`` listed companies and one key per client: (names, keys)."""
    from transitwatch.lists.ftm import parse as parse_ftm
    from transitwatch.store.keys import KeyStore

    rng = random.Random(11)
    syllables = ["ka", "ra", "mo", "tek", "lin", "zar", "vo", "dan", "pro", "sib", "al", "tor"]
    names: list[str] = []
    while len(names) < n_cases:
        name = "".join(rng.choice(syllables) for _ in range(3)).capitalize() + " Trading LLC"
        if name not in names:
            names.append(name)
    entities = [
        {"id": f"D{i}", "schema": "Company", "caption": name, "properties": {"name": [name]},
         "datasets": ["bench"], "last_change": "2024-01-31T00:00:00"}
        for i, name in enumerate(names)
    ]  # fmt: skip
    listed = db.parent / "bench.ftm.json"
    listed.write_text("".join(json.dumps(e) + "\n" for e in entities), encoding="utf-8")
    with open_store(db) as st:
        st.save_list(parse_ftm([listed]))
    with KeyStore(db) as keys:
        secrets = [keys.create("supervisor" if i % 2 else "analyst", f"bench-{i}")[1]
                   for i in range(clients)]  # fmt: skip
    return names, secrets


Named = tuple[str, str, str]  # (query as sent, listed entity id, case id in the answer)


def name_variants(names: list[str]) -> list[str]:
    """Spellings that share one normalised name (so one case per company)."""
    return [v for n in names for v in (n, n.upper(), n.lower(), f"  {n}  ")]


async def screen_for_cases(
    http: httpx.AsyncClient, queries: list[str], named: list[Named], stop: asyncio.Event | None
) -> int:
    """Screen ``queries`` in turn (round and round until ``stop`` is set, when given);
    records every case an answer names; the number of failed requests."""
    if not queries:
        return 0
    failures = 0
    i = 0
    while i < len(queries) or (stop is not None and not stop.is_set()):
        query = queries[i % len(queries)]
        i += 1
        try:
            r = await http.post("/screen", json={"name": query, "type": "organization"})
            r.raise_for_status()
        except httpx.HTTPError:
            failures += 1
            continue
        named.extend(
            (query, h["source_id"], h["case_id"]) for h in r.json()["hits"] if h["case_id"]
        )
    return failures


async def open_cases(base: str, names: list[str], clients: int) -> tuple[list[Named], int]:
    """Every client screens every spelling of every name at the same time, in its own order:
    the cases of one company are opened by many concurrent requests."""
    named: list[Named] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    variants = name_variants(names)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as http:
        orders = [random.Random(i).sample(variants, len(variants)) for i in range(clients)]
        failures = await asyncio.gather(*(screen_for_cases(http, o, named, None) for o in orders))
    return named, sum(failures)


def verify_cases(db: Path, named: list[Named]) -> dict[str, Any]:
    """Compare the stored cases with the case ids the answers named."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute("SELECT case_id, subject_key, source_id FROM cases").fetchall()
    finally:
        con.close()
    stored = {r[0] for r in rows}
    answered = {c for _, _, c in named}
    by_subject: dict[tuple[str, str], set[str]] = {}  # spellings of a name share a case
    for query, source_id, case_id in named:
        by_subject.setdefault((query.strip().casefold(), source_id), set()).add(case_id)
    return {
        "cases_named_in_answers": len(answered),
        "cases_stored": len(rows),
        "cases_lost": len(answered - stored),  # an answer named a case that is not stored
        "cases_never_named": len(stored - answered),
        "cases_duplicated": len(rows) - len({r[1] for r in rows}),  # two rows, one subject
        "subjects_with_several_cases": sum(len(ids) > 1 for ids in by_subject.values()),
    }


async def post_decisions(
    base: str,
    case_ids: list[str],
    secrets: list[str],
    total: int,
    seconds: float,
    screen: list[str] | None = None,
    screeners: int = 0,
) -> dict[str, Any]:
    acked: list[str] = []  # decision ids acknowledged with 2xx
    refused: dict[int, int] = {}  # status -> count (invalid transitions, roles)
    failures = 0  # no answer: the decision's fate is unknown to the client
    issued = 0
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    actions = ["confirm", "dismiss", "escalate", "reopen"]

    async def client(http: httpx.AsyncClient, key: str, seed: int) -> None:
        nonlocal issued, failures
        rng = random.Random(seed)
        while issued < total and time.perf_counter() < deadline:
            issued += 1
            case_id = rng.choice(case_ids)
            body = {"action": rng.choice(actions), "note": f"bench note {issued}"}
            t = time.perf_counter()
            try:
                r = await http.post(
                    f"/cases/{case_id}/decisions", json=body, headers={"X-API-Key": key}
                )
            except httpx.HTTPError:
                failures += 1
                continue
            latencies.append(time.perf_counter() - t)
            if 200 <= r.status_code < 300:
                acked.append(r.json()["decision"]["decision_id"])
            else:
                refused[r.status_code] = refused.get(r.status_code, 0) + 1

    named: list[Named] = []
    stop = asyncio.Event()
    n = len(secrets) + screeners
    limits = httpx.Limits(max_connections=n, max_keepalive_connections=n)

    async def deciders(http: httpx.AsyncClient) -> None:
        try:
            await asyncio.gather(*(client(http, k, i) for i, k in enumerate(secrets)))
        finally:
            stop.set()

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as http:
        started = time.perf_counter()
        others = [screen_for_cases(http, screen or [], named, stop) for _ in range(screeners)]
        done = await asyncio.gather(deciders(http), *others)
        elapsed = time.perf_counter() - started
    return {"acked": acked, "refused": refused, "failures": failures, "issued": issued,
            "elapsed": elapsed, "latencies": latencies, "named": named,
            "screen_failures": sum(x or 0 for x in done[1:])}  # fmt: skip


def verify_trail(db: Path, acked: list[str]) -> dict[str, Any]:
    """Compare the stored audit trail with the acknowledged decisions."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        rows = con.execute(
            "SELECT decision_id, case_id, seq, from_status, to_status FROM case_decisions "
            "ORDER BY case_id, seq"
        ).fetchall()
    finally:
        con.close()
    stored = [r[0] for r in rows]
    acked_set, stored_set = set(acked), set(stored)
    broken = 0
    previous: tuple[str, int, str] | None = None
    for _, case_id, seq, from_status, to_status in rows:
        if previous is None or previous[0] != case_id:
            broken += seq != 1 or from_status != "open"
        else:
            broken += seq != previous[1] + 1 or from_status != previous[2]
        previous = (case_id, seq, to_status)
    return {
        "acknowledged": len(acked),
        "stored": len(stored),
        "lost": len(acked_set - stored_set),
        "unacknowledged_in_trail": len(stored_set - acked_set),
        "duplicated": (len(stored) - len(stored_set)) + (len(acked) - len(acked_set)),
        "broken_chain_links": broken,
    }


def run_decisions(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="tw-api-decisions-") as tmp_name:
        db = Path(tmp_name) / "decisions.duckdb"
        names, secrets = decisions_store(db, args.cases, args.clients)
        base, proc = start_server(db, args.src)
        try:
            wait_ready(base, proc, args.ready_timeout)
            named, open_failures = asyncio.run(open_cases(base, names, args.clients))
            r = httpx.post(
                f"{base}/screen/batch",
                json={"queries": [{"name": n, "type": "organization"} for n in names]},
                timeout=60,
            )
            r.raise_for_status()
            batch = [(x["name"], h["source_id"], h["case_id"])
                     for x in r.json()["results"] for h in x["hits"] if h["case_id"]]  # fmt: skip
            named += batch
            case_ids = sorted({c for _, _, c in batch})
            if not case_ids:
                raise SystemExit("no case was opened: nothing to decide")
            out = asyncio.run(
                post_decisions(
                    base, case_ids, secrets, args.requests, args.seconds,
                    screen=name_variants(names), screeners=args.screeners,
                )
            )  # fmt: skip
            named += out["named"]
        finally:
            stop_server(proc)
        check = verify_trail(db, out["acked"])
        cases = verify_cases(db, named)
    elapsed, latencies = out["elapsed"], out["latencies"]
    ok = check["lost"] == 0 and check["duplicated"] == 0 and check["broken_chain_links"] == 0
    ok = ok and (out["failures"] > 0 or check["unacknowledged_in_trail"] == 0)
    ok = ok and cases["cases_lost"] == 0 and cases["cases_duplicated"] == 0
    ok = ok and cases["subjects_with_several_cases"] == 0
    failed = open_failures + out["screen_failures"]  # answers lost: their cases go unnamed
    ok = ok and (failed > 0 or cases["cases_never_named"] == 0)
    result = {
        "clients": args.clients,
        "cases": len(case_ids),
        "requests": out["issued"],
        "refused": {str(k): v for k, v in sorted(out["refused"].items())},
        "client_failures": out["failures"],
        **check,
        "seconds": round(elapsed, 2),
        "throughput_rps": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 99) * 1000, 1) if latencies else None,
        "screening_answers_naming_a_case": len(named),
        "screening_failures": failed,
        **cases,
        "ok": ok,
    }
    print(
        f"{len(named):,} case ids named by concurrent screenings ({args.clients} clients, then "
        f"{args.screeners} alongside the decisions): "
        f"{cases['cases_named_in_answers']} distinct, {cases['cases_stored']} stored, "
        f"{cases['cases_lost']} lost, {cases['cases_duplicated']} duplicated, "
        f"{cases['cases_never_named']} never named, "
        f"{cases['subjects_with_several_cases']} (name, entity) pairs with more than one case id"
    )
    print(
        f"{out['issued']:,} decision requests from {args.clients} clients on {len(case_ids)} "
        f"cases in {elapsed:.1f} s ({result['throughput_rps']} req/s, p50 {result['p50_ms']} "
        f"ms, p99 {result['p99_ms']} ms): {check['acknowledged']:,} acknowledged (2xx), "
        f"refused {result['refused']}, {out['failures']} without an answer; audit trail "
        f"{check['stored']:,} rows: {check['lost']} lost, {check['duplicated']} duplicated, "
        f"{check['unacknowledged_in_trail']} not acknowledged, "
        f"{check['broken_chain_links']} broken chain links -> {'OK' if ok else 'FAILED'}"
    )
    target = ROOT / "benchmarks" / "out" / "api_decisions.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    if not ok:
        raise SystemExit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=ROOT / "build" / "demo.duckdb")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=60.0, help="Longest phase.")
    parser.add_argument("--single", type=int, default=300, help="One-client /screen requests.")
    parser.add_argument("--health", type=int, default=3000, help="/health requests.")
    parser.add_argument("--rounds", type=int, default=3, help="Rounds of the three phases.")
    parser.add_argument("--label", default="", help="Recorded in the JSON (e.g. a git ref).")
    parser.add_argument(
        "--src",
        type=Path,
        default=None,
        help="Import transitwatch from this folder (default: this checkout's src).",
    )
    parser.add_argument(
        "--baseline-src",
        type=Path,
        default=None,
        help="Also run a server importing transitwatch from this folder (e.g. an older "
        "version's src) and alternate the rounds between the two: a baseline in the same run.",
    )
    parser.add_argument("--out", type=Path, default=None, help="JSON output path.")
    parser.add_argument("--ready-timeout", type=float, default=600.0)
    parser.add_argument(
        "--decisions",
        action="store_true",
        help="Post case decisions concurrently and check the audit trail instead.",
    )
    parser.add_argument("--cases", type=int, default=40, help="Cases in --decisions mode.")
    parser.add_argument(
        "--screeners",
        type=int,
        default=2,
        help="Clients screening the same names while the decisions are posted (--decisions).",
    )
    args = parser.parse_args()
    if args.decisions:
        run_decisions(args)
        return

    run_load(args)


def run_phases(
    port: int, pid: int, args: argparse.Namespace, names: list[tuple[str, str | None]]
) -> dict[str, Any]:
    """One round against one server: /health, /screen from one client, /screen from many."""
    single, many = names[: args.single], names[args.single :]
    health = [("GET", "/health", b"")] * args.health
    one = {
        "health": asyncio.run(load(port, health, args.clients, args.seconds, pid)),
        "screen_single": asyncio.run(load(port, screen_requests(single), 1, args.seconds, pid)),
        "screen": asyncio.run(load(port, screen_requests(many), args.clients, args.seconds, pid)),
    }
    one["ratio_screen_to_health_rps"] = round(
        one["screen"]["throughput_rps"] / one["health"]["throughput_rps"], 3
    )
    return one


def medians(rounds: list[dict[str, Any]]) -> dict[str, float]:
    def med(phase: str, key: str) -> float:
        return round(statistics.median(r[phase][key] for r in rounds), 2)

    return {
        "health_rps": med("health", "throughput_rps"),
        "health_p50_ms": med("health", "p50_ms"),
        "health_p99_ms": med("health", "p99_ms"),
        "screen_single_p50_ms": med("screen_single", "p50_ms"),
        "screen_single_rps": med("screen_single", "throughput_rps"),
        "screen_single_server_cpu_ms_per_request": med(
            "screen_single", "server_cpu_ms_per_request"
        ),
        "screen_rps": med("screen", "throughput_rps"),
        "screen_p50_ms": med("screen", "p50_ms"),
        "screen_p90_ms": med("screen", "p90_ms"),
        "screen_p99_ms": med("screen", "p99_ms"),
        "screen_server_cpu_ms_per_request": med("screen", "server_cpu_ms_per_request"),
        "ratio_screen_to_health_rps": round(
            statistics.median(r["ratio_screen_to_health_rps"] for r in rounds), 3
        ),
    }


def run_load(args: argparse.Namespace) -> None:
    servers = {"current": args.src}
    if args.baseline_src is not None:
        servers["baseline"] = args.baseline_src
    rounds: dict[str, list[dict[str, Any]]] = {label: [] for label in servers}
    ready: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="tw-api-load-") as tmp_name:
        tmp = Path(tmp_name)
        db = prepare_store(args, tmp)
        with open_store(db, read_only=True) as st:
            records = st.current_entities()
        per_round = args.single + args.requests
        names = sample_queries(records, 20 + args.rounds * per_round, seed=7)
        procs: dict[str, tuple[str, subprocess.Popen[bytes]]] = {}
        try:
            for label, src in servers.items():  # each over its own copy of the store
                copy = tmp / f"{label}.duckdb"
                shutil.copyfile(db, copy)
                procs[label] = start_server(copy, src)
            for label, (base, proc) in procs.items():
                ready[label] = wait_ready(base, proc, args.ready_timeout)
                for name, schema in names[:20]:  # warm-up, not measured
                    httpx.post(f"{base}/screen", json={"name": name, "type": schema}, timeout=30)
            for i in range(args.rounds):
                mine = names[20 + i * per_round : 20 + (i + 1) * per_round]
                order = list(procs) if i % 2 == 0 else list(reversed(procs))  # drift cancels
                for label in order:
                    base, proc = procs[label]
                    port = int(base.rsplit(":", 1)[1])
                    one = run_phases(port, proc.pid, args, mine)  # the same names for each
                    rounds[label].append(one)
                    print(f"round {i + 1}, {label}:")
                    print(show(f"  GET /health, {args.clients} clients", one["health"]))
                    print(show("  POST /screen, 1 client", one["screen_single"]))
                    print(show(f"  POST /screen, {args.clients} clients", one["screen"]))
        finally:
            for _, proc in procs.values():
                stop_server(proc)

    summary = {label: medians(rs) for label, rs in rounds.items()}
    result: dict[str, Any] = {
        "label": args.label,
        "entities": len(records),
        "clients": args.clients,
        "rounds_each": args.rounds,
        "servers": {label: str(src or ROOT / "src") for label, src in servers.items()},
        "server_ready_s": {label: round(t, 1) for label, t in ready.items()},
        "medians": summary,
    }
    if "baseline" in summary:
        cur, old = summary["current"], summary["baseline"]
        result["current_vs_baseline"] = {
            key: round(cur[key] / old[key], 3) if old[key] else None
            for key in ("health_rps", "screen_rps", "screen_p50_ms", "screen_p99_ms",
                        "screen_single_p50_ms", "screen_server_cpu_ms_per_request")
        }  # fmt: skip
    result["rounds"] = rounds
    for label, m in summary.items():
        print(
            f"{label}: medians of {args.rounds} rounds over {len(records):,} listed entities: "
            f"/health {m['health_rps']} req/s; /screen 1 client p50 {m['screen_single_p50_ms']} "
            f"ms; /screen {args.clients} clients {m['screen_rps']} req/s, p50 "
            f"{m['screen_p50_ms']} ms, p99 {m['screen_p99_ms']} ms, server CPU "
            f"{m['screen_server_cpu_ms_per_request']} ms/req; /screen:/health throughput "
            f"{m['ratio_screen_to_health_rps']}"
        )
    if "current_vs_baseline" in result:
        print(f"current / baseline: {result['current_vs_baseline']}")
    out = args.out or ROOT / "benchmarks" / "out" / "api_load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
