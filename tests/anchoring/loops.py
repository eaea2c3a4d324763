"""Switching re-anchoring to its pure-Python loops for a while (tests compare them with the compiled ones)."""

import contextlib

from corrigo.anchoring import fuzzy


@contextlib.contextmanager
def pure_python_loops():
    """The pure-Python loops inside the block; whichever loops ran before, after it."""
    was_native = fuzzy.native_in_use()
    assert not fuzzy.use_native(False)
    try:
        yield
    finally:
        fuzzy.use_native(was_native)
