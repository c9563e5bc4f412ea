"""DataLoader worker lifetime: workers leave signals to the main process and die with it.

``timeout``, Slurm and systemd send SIGTERM to the whole process group, Ctrl-C sends SIGINT to it.
A worker that dies of it makes the main process fail with "DataLoader worker ... killed by signal"
before it can save, so workers ignore both: the main process handles them (the engine saves an
exit checkpoint and shuts the workers down). A SIGTERM that the main process itself sends (the
loader's and multiprocessing's ``terminate()`` at exit, which then wait for the worker) still
ends the worker: SIGTERM is blocked and taken by a thread that reads the sender
(``sigwaitinfo``); where that is missing (macOS) it is ignored. When the main process is killed
outright (kill -9, the OOM killer), the workers must not outlive it: on Linux the kernel sends
them SIGKILL (``prctl(PR_SET_PDEATHSIG)``); elsewhere a watchdog thread exits when the parent is gone.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>
WATCH_SECONDS = 0.5


class WorkerInit:
    """A picklable ``worker_init_fn``: ignore SIGINT/SIGTERM and die with the process that made the loader."""

    def __init__(self) -> None:
        self.parent = os.getpid()

    def __call__(self, worker_id: int) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        sigterm_from_parent_only(self.parent)
        die_with_parent(self.parent)


def sigterm_from_parent_only(parent: int) -> None:
    """Let SIGTERM end this process only when process ``parent`` sends it."""
    if not hasattr(signal, "sigwaitinfo"):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        return
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not SIG_IGN: an ignored signal is discarded, never waited for
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # threads started from here on inherit the mask
    threading.Thread(target=_take_sigterm, args=(parent,), name="sigterm-from-parent", daemon=True).start()


def _take_sigterm(parent: int) -> None:
    while True:
        info = signal.sigwaitinfo({signal.SIGTERM})
        if info.si_pid == parent:
            os._exit(0)


def die_with_parent(parent: int) -> None:
    """End this process when process ``parent`` ends (immediately on Linux, within 0.5 s elsewhere)."""
    if os.getppid() == parent and _set_pdeathsig(signal.SIGKILL):
        if os.getppid() != parent:  # the parent died before the kernel was told
            os._exit(1)
        return
    threading.Thread(target=_watch, args=(parent, os.getppid()), name="parent-watchdog", daemon=True).start()


def _set_pdeathsig(sig: int) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent: int, ppid: int) -> None:
    while True:
        time.sleep(WATCH_SECONDS)
        if (ppid == parent and os.getppid() != ppid) or not process_alive(parent):
            os._exit(1)


def process_alive(pid: int) -> bool:
    """Whether process ``pid`` exists (a zombie counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # PermissionError: alive, someone else's
        return True
    return True
