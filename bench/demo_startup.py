"""Time `make demo` from a fresh clone to a serving demo page (budget: under 3 minutes).

Clones this repository's HEAD into a temporary folder, runs `make demo` there with a
free PORT and measures the time until http://127.0.0.1:PORT/ answers with the demo
article. `--no-pip-cache` makes pip download every package again (PIP_NO_CACHE_DIR).

    python bench/demo_startup.py [--no-pip-cache]
"""

import argparse
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-pip-cache", action="store_true")
    args = parser.parse_args()
    where = Path(tempfile.mkdtemp(prefix="corrigo-clone-"))
    subprocess.run(["git", "clone", "--quiet", str(REPO), str(where / "corrigo")], check=True)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORRIGO_", "DATABASE_URL", "VIRTUAL_ENV"))}
    env["PORT"] = str(port)
    if args.no_pip_cache:
        env["PIP_NO_CACHE_DIR"] = "1"
    started = time.monotonic()
    process = subprocess.Popen(
        ["make", "demo"], cwd=where / "corrigo", env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        while True:
            if process.poll() is not None:
                raise SystemExit(f"make demo exited with {process.returncode}:\n{process.stdout.read().decode()}")
            try:
                page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read().decode()
                if "widget.js" in page:
                    break
            except OSError:
                pass
            if time.monotonic() - started > 600:
                raise SystemExit("no demo page after 10 minutes")
            time.sleep(0.25)
        elapsed = time.monotonic() - started
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        shutil.rmtree(where, ignore_errors=True)
    cache = "without pip cache" if args.no_pip_cache else "with pip's cache"
    print(f"make demo, fresh clone to serving page ({cache}): {elapsed:.1f} s (budget 180 s)")


if __name__ == "__main__":
    main()
