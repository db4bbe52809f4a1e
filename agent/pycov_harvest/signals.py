"""Signal chaining: the agent's action runs first, then whatever handler the
server installs, before or after the agent.

Servers install their handlers after the agent started (uvicorn's
`capture_signals` and asyncio's `loop.add_signal_handler`, gunicorn's
`init_signals`), so the agent wraps `signal.signal` and `signal.getsignal`:
for a managed signal the real handler stays the agent's dispatcher and the
server's handler is remembered as the "user handler" and called after the
agent's action. Code that asks for the current handler gets the user handler,
so save/restore patterns (uvicorn restores the previous handlers after its
graceful shutdown and re-raises the signal) behave as without the agent.
asyncio's handlers still work: the C-level wakeup fd is written for any
Python-level handler, and the agent's dispatcher calls asyncio's no-op one.
"""

from __future__ import annotations

import os
import signal
import threading

_real_signal = signal.signal
_real_getsignal = signal.getsignal


class _Managed:
    def __init__(self, action, user, default_kills: bool, before_default_death):
        self.action = action
        self.user = user
        self.default_kills = default_kills
        self.before_default_death = before_default_death


_managed: dict[int, _Managed] = {}


def _dispatch(signum, frame):
    managed = _managed.get(signum)
    if managed is None:
        return
    try:
        managed.action(signum)
    except Exception:
        pass
    handler = managed.user
    if callable(handler):
        handler(signum, frame)
    elif handler == signal.SIG_DFL and managed.default_kills:
        # What the process would have done without the agent: die by this signal.
        if managed.before_default_death is not None:
            try:
                managed.before_default_death()
            except Exception:
                pass
        _real_signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)
    # SIG_IGN, or SIG_DFL of the save signal (the agent owns it): nothing more.


def _signal(signalnum, handler):
    managed = _managed.get(signalnum)
    if managed is None:
        return _real_signal(signalnum, handler)
    if not (callable(handler) or handler in (signal.SIG_DFL, signal.SIG_IGN)):
        raise TypeError("signal handler must be signal.SIG_IGN, signal.SIG_DFL, or a callable object")
    _real_signal(signalnum, _dispatch)  # raises like signal.signal outside the main thread
    previous, managed.user = managed.user, handler
    return previous


def _getsignal(signalnum):
    managed = _managed.get(signalnum)
    if managed is None:
        return _real_getsignal(signalnum)
    return managed.user


def manage(signum: int, action, default_kills: bool, before_default_death=None) -> None:
    """Run `action(signum)` first on every `signum`, then the server's handler.

    Must be called from the main thread. Raises ValueError when the current
    handler was installed from C (it cannot be chained from Python).
    """
    if threading.current_thread() is not threading.main_thread():
        raise ValueError("signal handlers can only be installed from the main thread")
    current = _real_getsignal(signum)
    if current is None:
        raise ValueError(f"{signal.Signals(signum).name} has a handler installed from C")
    _managed[signum] = _Managed(action, current, default_kills, before_default_death)
    _real_signal(signum, _dispatch)
    signal.signal = _signal
    signal.getsignal = _getsignal
