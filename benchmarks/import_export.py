"""Benchmark the data pipeline: generate, import, re-import, export.

Each step runs as its own `matchmaker` process, as a user would run it, and reports wall
time and that process's peak resident memory. Usage:

    python benchmarks/import_export.py [--profiles 100000] [--needs 2000] [--generate-only N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from scratch import machine, scratch


def run_step(label: str, args: list[str], env: dict[str, str]) -> None:
    started = time.perf_counter()
    # stderr goes to a file: a pipe read only after the child exits fills up and blocks it.
    with Path(os.devnull).open("wb") as sink, tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(
            [sys.executable, "-m", "matchmaker", *args], env=env, stdout=sink, stderr=errors
        )
        _pid, status, usage = os.wait4(process.pid, 0)
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
    elapsed = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"{label} failed:\n{stderr}")
    print(f"{label:<44} {elapsed:8.1f} s   peak RSS {usage.ru_maxrss / 1024:8.0f} MiB", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--profiles", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=2_000)
    parser.add_argument(
        "--generate-only", type=int, default=0, help="also time generating N profiles"
    )
    options = parser.parse_args()
    print(machine())
    with scratch() as (root, env):
        data = root / "generated"
        n, m = options.profiles, options.needs
        run_step(f"generate {n} profiles, {m} needs", [
            "fixtures", "generate", "--profiles", str(n), "--needs", str(m), "--output", str(data)
        ], env)  # fmt: skip
        sizes = {p.name: p.stat().st_size / 2**20 for p in sorted(data.iterdir())}
        print("files: " + ", ".join(f"{name} {size:.0f} MiB" for name, size in sizes.items()))
        run_step("import all (fresh database)", ["import", "all", str(data)], env)
        run_step("import all again (all unchanged)", ["import", "all", str(data)], env)
        run_step(
            f"import profiles only ({n})", ["import", "profiles", str(data / "profiles.jsonl")], env
        )
        for fmt in ("jsonl", "csv", "xlsx"):
            target = root / f"profiles.{fmt}"
            run_step(f"export profiles --format {fmt}", [
                "export", "profiles", "--format", fmt, "--output", str(target)
            ], env)  # fmt: skip
        if options.generate_only:
            big = root / "big"
            run_step(f"generate {options.generate_only} profiles", [
                "fixtures", "generate", "--profiles", str(options.generate_only), "--needs", "0",
                "--output", str(big),
            ], env)  # fmt: skip


if __name__ == "__main__":
    main()
