"""Intake's cost per report in instructions, which the machine's load does not move.

bench/intake_cpu.py counts CPU time, which moved by 20-40 % between identical runs on the
shared 2-core machine. This counts the instructions one report costs in one process, with
valgrind's callgrind (Debian's valgrind): a fresh SQLite database (synchronous=NORMAL) and
site, 100 reports posted through Django's test client to warm up, then instrumentation
switched on (`callgrind_control -i on`) for N more. Everything the process runs is
counted: Django, our code, SQLite, the C libraries. Runs of the same code differ by about
2 % (the reports' random ids, hash seeds, when the garbage collector runs).

    python bench/intake_instructions.py [--reports 200]
    PYTHONPATH=/path/to/other/src python bench/intake_instructions.py    # another version

About a minute for 200 reports (valgrind runs the process some 50 times slower).
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))
from intake import report_bodies  # noqa: E402 (bench/ is not a package)
from intake_cpu import add_bench_site, post_report, use_fresh_database  # noqa: E402

WARM_UP = 100


def post_reports(data: Path, count: int) -> None:
    """In the valgrind child: warm up, say so, wait for instrumentation, post `count` reports."""
    import django

    django.setup()
    from django.test import Client

    client = Client()
    bodies = report_bodies(WARM_UP + count)
    for number in range(WARM_UP):
        post_report(client, bodies[number], f"instr-{number:010d}", number)
    (data / "ready").touch()
    while not (data / "go").exists():
        time.sleep(0.05)
    for number in range(WARM_UP, WARM_UP + count):
        post_report(client, bodies[number], f"instr-{number:010d}", number)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is needed (Debian's package valgrind)")

    if args.child:
        post_reports(Path(args.child), args.reports)
        return

    data = Path(tempfile.mkdtemp(prefix="corrigo-instructions-"))
    use_fresh_database(data)
    os.environ.setdefault("PYTHONHASHSEED", "0")
    import django

    django.setup()
    add_bench_site()  # outside valgrind: it is not what is counted
    out = data / "callgrind.out"
    child = subprocess.Popen(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--child",
            str(data),
            "--reports",
            str(args.reports),
        ],
        stdout=subprocess.DEVNULL,
        stderr=(data / "valgrind.log").open("w"),
    )
    while not (data / "ready").exists():
        if child.poll() is not None:
            raise SystemExit(f"the child stopped: see {data / 'valgrind.log'}")
        time.sleep(0.5)
    subprocess.run(["callgrind_control", "-i", "on", str(child.pid)], check=True, capture_output=True)
    (data / "go").touch()
    if child.wait() != 0:
        raise SystemExit(f"the child failed: see {data / 'valgrind.log'}")
    totals = next(line for line in out.read_text().splitlines() if line.startswith(("summary:", "totals:")))
    instructions = int(totals.split()[1])
    import corrigo

    print(f"code: {Path(corrigo.__file__).parent}")
    print(f"{instructions / args.reports / 1e6:.2f} M instructions a report ({args.reports} reports after {WARM_UP} to warm up)")
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
