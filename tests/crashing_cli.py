"""Run `provenance` commands in processes that SIGKILL themselves at a chosen point, as a crash would.

The production code has no test hooks: a run patches one function (``os:replace``,
``provenance.pending_files:PendingFiles.publish``, ``sqlmodel:Session.commit``, ...) so that its Nth call
kills the process with SIGKILL, before or after the real call, then calls ``provenance.cli.main``.

Importing torch and diffusers takes most of a generation's time on a small machine, so this script imports
them once and then forks one child per request; each child is a real, separate process that runs the
command line and dies by the signal. Requests come as JSON lines on stdin::

    {"argv": ["--project", "P", "generate", "1", ...], "log": "run.log",
     "kill": {"target": "os:replace", "when": "before", "call": 3}}      # "kill": null runs to the end

and each answer is one JSON line, ``{"returncode": -9}`` (a negative number is the signal that ended it).
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import threading
import time
from typing import Any

# A child that neither dies nor finishes in this long is stopped, so a test fails instead of hanging.
CHILD_LIMIT_S = 120


def install_kill(target: str, when: str, call: int) -> None:
    """Replace ``module:attr.path`` with a wrapper that SIGKILLs this process on its ``call``-th call."""
    module_name, _, attribute_path = target.partition(":")
    owner: Any = importlib.import_module(module_name)
    *parents, name = attribute_path.split(".")
    for parent in parents:
        owner = getattr(owner, parent)
    original = getattr(owner, name)
    calls = 0

    def killing(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == call and when == "before":
            os.kill(os.getpid(), signal.SIGKILL)
        result = original(*args, **kwargs)
        if calls == call and when == "after":
            os.kill(os.getpid(), signal.SIGKILL)
        return result

    setattr(owner, name, killing)


def run_child(request: dict[str, Any]) -> None:
    """In the forked child: send output to the log, arm the kill, run the command line, never return."""
    from provenance.cli import main

    log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o666)
    for stream in (1, 2):
        os.dup2(log, stream)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    code = 0
    try:
        if request.get("kill"):
            install_kill(**request["kill"])
        main(args=request["argv"], prog_name="provenance")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 - anything else ends the child with a traceback in its log
        import traceback

        traceback.print_exc()
        code = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def wait(pid: int) -> int:
    deadline = time.monotonic() + CHILD_LIMIT_S
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        if time.monotonic() > deadline:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            return 124
        time.sleep(0.02)


def main() -> None:
    import provenance.cli  # noqa: F401
    from provenance.engine.quiet import quiet_libraries

    with quiet_libraries():
        from diffusers import AutoPipelineForImage2Image, StableDiffusionImg2ImgPipeline  # noqa: F401
    # Forking is only safe while this process has no other threads (a lock held by one would stay held).
    assert threading.active_count() == 1, threading.enumerate()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            run_child(request)
        print(json.dumps({"returncode": wait(pid)}), flush=True)


if __name__ == "__main__":
    main()
