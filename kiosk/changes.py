"""A bell the worker processes of `kiosk serve` share, so that a change made through one of them
shows in the others at once (kiosk/serving_workers.py).

Each topic has a token in memory shared with every process forked after this module was
imported (an anonymous shared mapping): a process that changes something (a Sprachpate's
correction, a published form, a recording) writes a new random token after its commit; a cache
of that topic compares the token with the one it saw when it last read, on every use, which
costs a memory read. A change made by another program (`kiosk sync`, `kiosk forms import`) is
still found by the caches' own checks of the database, within seconds.
"""

import mmap
import os

TOPICS = ("texts", "forms", "recordings")
WIDTH = 8  # bytes per token
_shared = mmap.mmap(-1, WIDTH * len(TOPICS))  # MAP_SHARED: forked workers see the same bytes


def _place(topic: str) -> slice:
    start = TOPICS.index(topic) * WIDTH
    return slice(start, start + WIDTH)


def ring(topic: str) -> None:
    """Something of `topic` changed (and is committed): every process's cache reads again."""
    _shared[_place(topic)] = os.urandom(WIDTH)


def token(topic: str) -> bytes:
    """The topic's token now: a cache that saw another one is out of date."""
    return _shared[_place(topic)]
