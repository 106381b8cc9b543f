"""HTTP load test: single-name `POST /screen` at 50 concurrent clients, on loopback only.

    python benchmarks/api_load.py [--store build/demo.duckdb | --data ../shared/data]
                                  [--clients 50] [--requests 3000] [--seconds 60]

Copies the given store (or loads every list of the data folder into a new one with
`transitwatch lists load-all`) into a temporary folder, starts the API with uvicorn on
127.0.0.1 and a free port in a subprocess, waits until it has indexed the lists, then sends
realistic names (half listed names, reordered or shortened; half recombinations) from
``--clients`` concurrent httpx clients until ``--requests`` are done or ``--seconds`` have
passed. Prints throughput and p50/p90/p99 latency, writes benchmarks/out/api_load.json, and
stops the server. No traffic leaves 127.0.0.1.

    python benchmarks/api_load.py --decisions [--clients 50] [--cases 40] [--requests 3000]
                                              [--seconds 60]

The decisions mode builds its own store (a synthetic list of ``--cases`` companies, one API
key per client, half analysts, half supervisors), opens one case per company through
``POST /screen/batch``, then has ``--clients`` concurrent clients post random decisions
(confirm, dismiss, escalate, reopen) on random cases. After stopping the server it reads the
audit trail and checks that it holds exactly the decisions acknowledged with 2xx - none lost,
none duplicated - and that every case's trail is one unbroken chain (seq 1..n, each decision
starting from the status the previous one left). Writes benchmarks/out/api_decisions.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import socket
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


async def load(
    base: str, names: list[tuple[str, str | None]], clients: int, total: int, seconds: float
) -> tuple[list[float], int, int, float]:
    latencies: list[float] = []
    errors = 0
    with_hits = 0
    issued = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal issued, errors, with_hits
        while issued < total and time.perf_counter() < deadline:
            name, schema = names[issued % len(names)]
            issued += 1
            body = {"name": name, "type": schema}
            t = time.perf_counter()
            try:
                r = await http.post("/screen", json=body)
                ok = r.status_code == 200
                if ok and r.json()["hits"]:
                    with_hits += 1
            except httpx.HTTPError:
                ok = False
            latencies.append(time.perf_counter() - t)
            errors += not ok

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return latencies, errors, with_hits, elapsed


def start_server(db: Path) -> tuple[str, subprocess.Popen[bytes]]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(db), HOST, str(port)], cwd=ROOT)
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


async def post_decisions(
    base: str, case_ids: list[str], secrets: list[str], total: int, seconds: float
) -> dict[str, Any]:
    acked: list[str] = []  # decision ids acknowledged with 2xx
    refused: dict[int, int] = {}  # status -> count (invalid transitions, roles)
    failures = 0  # no answer: the decision's fate is unknown to the client
    issued = 0
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds
    actions = ["confirm", "dismiss", "escalate", "reopen"]
    limits = httpx.Limits(max_connections=len(secrets), max_keepalive_connections=len(secrets))

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

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http, k, i) for i, k in enumerate(secrets)))
        elapsed = time.perf_counter() - started
    return {"acked": acked, "refused": refused, "failures": failures, "issued": issued,
            "elapsed": elapsed, "latencies": latencies}  # fmt: skip


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
        base, proc = start_server(db)
        try:
            wait_ready(base, proc, args.ready_timeout)
            r = httpx.post(
                f"{base}/screen/batch",
                json={"queries": [{"name": n, "type": "organization"} for n in names]},
                timeout=60,
            )
            r.raise_for_status()
            case_ids = sorted(
                {h["case_id"] for x in r.json()["results"] for h in x["hits"] if h["case_id"]}
            )
            if not case_ids:
                raise SystemExit("no case was opened: nothing to decide")
            out = asyncio.run(post_decisions(base, case_ids, secrets, args.requests, args.seconds))
        finally:
            stop_server(proc)
        check = verify_trail(db, out["acked"])
    elapsed, latencies = out["elapsed"], out["latencies"]
    ok = check["lost"] == 0 and check["duplicated"] == 0 and check["broken_chain_links"] == 0
    ok = ok and (out["failures"] > 0 or check["unacknowledged_in_trail"] == 0)
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
        "ok": ok,
    }
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
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--ready-timeout", type=float, default=600.0)
    parser.add_argument(
        "--decisions",
        action="store_true",
        help="Post case decisions concurrently and check the audit trail instead.",
    )
    parser.add_argument("--cases", type=int, default=40, help="Cases in --decisions mode.")
    args = parser.parse_args()
    if args.decisions:
        run_decisions(args)
        return

    with tempfile.TemporaryDirectory(prefix="tw-api-load-") as tmp_name:
        db = prepare_store(args, Path(tmp_name))
        with open_store(db, read_only=True) as st:
            records = st.current_entities()
        names = sample_queries(records, 2000, seed=7)
        port = free_port()
        base = f"http://{HOST}:{port}"
        proc = subprocess.Popen([sys.executable, "-c", SERVER, str(db), HOST, str(port)], cwd=ROOT)
        try:
            ready = wait_ready(base, proc, args.ready_timeout)
            for name, schema in names[:20]:  # warm-up, not measured
                httpx.post(f"{base}/screen", json={"name": name, "type": schema}, timeout=30)
            latencies, errors, with_hits, elapsed = asyncio.run(
                load(base, names, args.clients, args.requests, args.seconds)
            )
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    done = len(latencies)
    result = {
        "entities": len(records),
        "clients": args.clients,
        "requests": done,
        "errors": errors,
        "with_hits": with_hits,
        "seconds": round(elapsed, 2),
        "throughput_rps": round(done / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(percentile(latencies, 50) * 1000, 1),
        "p90_ms": round(percentile(latencies, 90) * 1000, 1),
        "p99_ms": round(percentile(latencies, 99) * 1000, 1),
        "server_ready_s": round(ready, 1),
    }
    print(
        f"{done:,} requests from {args.clients} clients in {elapsed:.1f} s over "
        f"{len(records):,} listed entities: {result['throughput_rps']} req/s, "
        f"p50 {result['p50_ms']} ms, p90 {result['p90_ms']} ms, p99 {result['p99_ms']} ms; "
        f"{errors} errors, {with_hits} with hits (server ready in {ready:.0f} s)"
    )
    out = ROOT / "benchmarks" / "out" / "api_load.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
