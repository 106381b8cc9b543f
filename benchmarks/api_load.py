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
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=ROOT / "build" / "demo.duckdb")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--ready-timeout", type=float, default=600.0)
    args = parser.parse_args()

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
