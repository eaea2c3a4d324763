"""Where the real data of ../shared/data lives (read by tests, never copied into the repo).

Beside the repository by default; CORRIGO_SHARED_DATA overrides it, and a clone made
elsewhere on these machines still finds the workplace's copy at /work/shared/data.
"""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _shared_data() -> Path:
    candidates = [REPO.parent / "shared" / "data", Path("/work/shared/data")]
    if os.environ.get("CORRIGO_SHARED_DATA"):
        candidates.insert(0, Path(os.environ["CORRIGO_SHARED_DATA"]))
    for candidate in candidates:
        if (candidate / "pages").is_dir():
            return candidate.resolve()
    return candidates[0]


SHARED_DATA = _shared_data()
SHARED_PAGES = SHARED_DATA / "pages"
