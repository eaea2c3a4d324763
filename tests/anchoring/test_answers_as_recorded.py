"""Every re-anchoring answer stays what the matcher answered before it was made faster.

The answers (status, start, end, score) of all 600 dev cases and of every case that
``bench/make_anchoring_cases.py`` generates were recorded from the matcher as it was
before issue 14 (``tests/fixtures/anchoring/reanchor_answers.jsonl``, by
``python -m tests.anchoring.recorded_answers record``). A change that means to answer
differently re-records them and lists every changed answer in bench/README.md.
"""

from __future__ import annotations

import pytest

from tests.anchoring.recorded_answers import DEV_CASES, all_cases, differences, recorded


@pytest.mark.skipif(not DEV_CASES.is_file(), reason=f"{DEV_CASES} is not beside the repository")
def test_every_dev_and_generated_case_is_answered_as_recorded() -> None:
    before = recorded()
    assert len(before) >= 1400  # 600 dev cases and the generated set
    assert differences(all_cases(), before) == []
