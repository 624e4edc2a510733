"""The emulator's clock: wall time plus an offset, optionally frozen (control API `/_emulator/clock`).

Every time-dependent behaviour (endpoint provisioning, command invocations, agent reconnection,
token-bucket refill) reads `now()` so tests and the demo can freeze or advance time.
"""

from __future__ import annotations

import threading
import time

_lock = threading.Lock()
_offset = 0.0
_frozen_at: float | None = None


def now() -> float:
    """Seconds since the epoch, as the emulator sees them."""
    with _lock:
        if _frozen_at is not None:
            return _frozen_at
        return time.time() + _offset


def freeze() -> float:
    global _frozen_at
    with _lock:
        if _frozen_at is None:
            _frozen_at = time.time() + _offset
        return _frozen_at


def unfreeze() -> float:
    global _frozen_at, _offset
    with _lock:
        if _frozen_at is not None:
            _offset = _frozen_at - time.time()
            _frozen_at = None
        return time.time() + _offset


def advance(seconds: float) -> float:
    global _frozen_at, _offset
    if seconds < 0:
        raise ValueError("the clock only moves forward: seconds must be >= 0")
    with _lock:
        if _frozen_at is not None:
            _frozen_at += seconds
            return _frozen_at
        _offset += seconds
        return time.time() + _offset


def reset() -> None:
    global _frozen_at, _offset
    with _lock:
        _offset = 0.0
        _frozen_at = None


def state() -> dict[str, object]:
    with _lock:
        frozen = _frozen_at is not None
    return {"now": now(), "frozen": frozen}
