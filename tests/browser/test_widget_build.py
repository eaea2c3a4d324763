"""The served widget (dist/) is what the pinned build makes of its readable source (js/).

Humans edit src/corrigo/widget/js and run `make widget`; this rebuilds into a temporary
folder with the esbuild pinned in package-lock.json and compares every file, so a source
edit without a rebuild, or a hand edit of dist/, fails here.
"""

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
WIDGET = REPO / "src" / "corrigo" / "widget"


def test_the_built_widget_matches_its_source(tmp_path):
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "esbuild").is_dir():
        pytest.fail("the widget's build tools are not installed: run `make lint` or `make widget` (npm ci)")
    subprocess.run([node, str(WIDGET / "build.mjs"), str(tmp_path)], cwd=REPO, check=True, timeout=120)
    built = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    served = {p.name: p.read_bytes() for p in (WIDGET / "dist").iterdir()}
    assert sorted(served) == sorted(built)
    stale = [name for name in built if built[name] != served[name]]
    assert stale == [], "dist/ is stale: run `make widget` and commit src/corrigo/widget/dist"


def test_every_strings_file_is_built():
    sources = sorted(p.name for p in (WIDGET / "js").glob("i18n-*.json"))
    assert sources == sorted(p.name for p in (WIDGET / "dist").glob("i18n-*.json"))
    assert len(sources) >= 3
