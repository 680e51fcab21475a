"""The engine in a child process, started before a command loads the rest of this package.

A tracked generation has two start-ups: torch and diffusers (seconds), and the recording stack (SQLAlchemy,
the tables, c2pa, numpy: ~0.45 s). Both are imports, which hold the GIL, so in one process they run one
after the other on one core whatever the threads. Started first, the child imports torch and diffusers
while the parent imports its stack, opens the project and checks every input on the other core; then the
parent sends the job, and the child reports each denoising step and returns the candidates.

The two talk with pickle: the job goes down the child's stdin, the replies come back on a pipe of their own
that only this package writes to. The child's stdout and stderr are a temporary file the parent reads only
when the child dies, so what a library, a sitecustomize or a .pth file prints neither corrupts the replies
nor reaches the user's terminal. The child never writes a file and ignores Ctrl-C (its parent ends it); it
ends itself when its parent goes away.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ..errors import ModelError, ProvenanceError

# Only the starter's imports load before the child starts: the engine's own modules (Pillow, pydantic) wait.
if TYPE_CHECKING:
    from PIL import Image

    from .img2img import GenerationRun, GenerationSettings, ImageGenerator, RuntimeOptions, StepObserver
    from .lora import LoraWeights
    from .models import ModelSource


@contextmanager
def engine_for_this_process() -> Iterator[ImageGenerator]:
    """The engine a command should generate with: a child process started now, or this process's own.

    The child pays off only while this process has not loaded torch itself; where it has (a test suite, a
    notebook, the tests' forking wrapper), the engine runs here and sees whatever was patched into it. The
    child only saves time, so where it cannot be started (no temporary folder, no processes left) the
    engine runs here too.
    """
    child = None
    # POSIX only: the replies' pipe is handed down with pass_fds, which Windows does not have.
    if "torch" not in sys.modules and os.name == "posix":
        with contextlib.suppress(OSError):
            child = EngineProcess.start()
    if child is None:
        from .. import engine

        yield lambda *args, **kwargs: engine.generate(*args, **kwargs)  # looked up per call: patchable
        return
    with child:
        yield child


class EngineProcess:
    """:func:`provenance.engine.generate` in a child process; an :class:`ImageGenerator` for one job."""

    def __init__(self, process: subprocess.Popen[bytes], replies: IO[bytes], stderr: IO[bytes]) -> None:
        self._process = process
        self._replies = replies
        self._stderr = stderr

    @classmethod
    def start(cls) -> EngineProcess:
        """Start the child; it begins importing torch and diffusers at once."""
        # The same interpreter and the very copy of this package the parent runs, found where the parent
        # found it; -P keeps the working folder off the child's path (a stray torch.py there is not imported).
        package_root = str(Path(__file__).resolve().parents[2])
        stderr = tempfile.TemporaryFile()
        try:
            replies, child_end = os.pipe()
        except OSError:
            stderr.close()
            raise
        try:
            # The replies' pipe, not stdout: the interpreter runs a sitecustomize and .pth files before any of
            # this package, and whatever they print would land in the middle of the replies.
            process = subprocess.Popen(
                [sys.executable, "-P", "-c", _CHILD, package_root, str(child_end), str(os.getpid())],
                stdin=subprocess.PIPE,
                stdout=stderr,
                stderr=stderr,
                pass_fds=(child_end,),
            )
        except OSError:
            os.close(replies)
            stderr.close()
            raise
        finally:
            os.close(child_end)  # the child's copy is the only writer: its death is the parent's end of file
        return cls(process, os.fdopen(replies, "rb"), stderr)

    def __enter__(self) -> EngineProcess:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """End the child (if a command stops before or during the job, its work is not wanted)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        for stream in (self._process.stdin, self._replies, self._stderr):
            if stream is not None:
                # Part of a job the child never took may wait in the writer's buffer: flushing it to the dead
                # child fails (the stream is closed all the same), and must not hide why the command stops.
                with contextlib.suppress(BrokenPipeError):
                    stream.close()

    def __call__(
        self,
        source: ModelSource,
        image: Image.Image,
        settings: GenerationSettings,
        on_step: StepObserver | None = None,
        options: RuntimeOptions | None = None,
        loras: Sequence[LoraWeights] = (),
    ) -> GenerationRun:
        from .img2img import RuntimeOptions

        assert self._process.stdin is not None
        try:
            pickle.dump((source, image, settings, options or RuntimeOptions(), list(loras)), self._process.stdin)
            self._process.stdin.close()
        except BrokenPipeError:
            raise self._ended() from None
        while True:
            try:
                kind, *payload = pickle.load(self._replies)
            except EOFError:
                raise self._ended() from None
            if kind == "step":
                if on_step is not None:
                    on_step(*payload)
            elif kind == "run":
                return payload[0]
            elif kind == "error":
                raise payload[0]
            else:  # "bug": an exception this package did not raise on purpose
                summary, child_traceback = payload
                error = RuntimeError(f"in the engine process: {summary}")
                error.add_note(child_traceback)
                raise error

    def _ended(self) -> ModelError:
        """The error for a child that died before answering: killed (out of memory?) or crashed."""
        code = self._process.wait()
        how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
        self._stderr.seek(0)
        lines = self._stderr.read().decode(errors="replace").strip().splitlines()
        said = f": {lines[-1].strip()}" if lines else ""
        return ModelError(
            f"the engine process ended unexpectedly ({how}{said}); if memory ran out, try {{option:vae_tiling}}, "
            "{option:attention_slicing} or a smaller input"
        )


_CHILD = (
    "import sys; root = sys.argv[1]; root in sys.path or sys.path.insert(0, root); "
    "from provenance.engine.process import serve; serve()"
)


def serve() -> None:
    """The child's side: import the engine's libraries, then run the one job the parent sends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group; the parent decides
    replies = os.fdopen(int(sys.argv[2]), "wb")
    threading.Thread(target=_end_with_parent, args=(int(sys.argv[3]),), name="parent-watch", daemon=True).start()

    from . import img2img
    from .quiet import quiet_libraries

    with quiet_libraries():
        import diffusers  # noqa: F401  (what img2img.generate imports when it runs, imported ahead of the job)
        import torch  # noqa: F401
        from diffusers import AutoPipelineForImage2Image  # noqa: F401  (diffusers loads its pipelines lazily)
    try:
        source, image, settings, options, loras = pickle.load(sys.stdin.buffer)
    except EOFError:
        return  # the parent stopped before it had a job to send

    def reply(*message: Any) -> None:
        try:
            pickle.dump(message, replies)
            replies.flush()
        except BrokenPipeError:
            os._exit(0)  # the parent is gone (killed, or it stopped): nobody is waiting for the rest

    try:
        run = img2img.generate(
            source, image, settings, on_step=lambda *step: reply("step", *step), options=options, loras=loras
        )
    except ProvenanceError as error:
        reply("error", error)
    except Exception as error:
        reply("bug", f"{type(error).__name__}: {error}", traceback.format_exc())
    else:
        reply("run", run)


def _end_with_parent(parent: int) -> None:
    """End this process as soon as its parent is gone (killed, or ended without closing it).

    A failed reply tells the child too, but only at the next step: loading a large model, encoding or decoding
    a large picture report nothing for minutes, during which an orphan would hold the cores and the memory.
    An orphan is handed to another parent (init, or a subreaper), so its parent's id changes.
    """
    while os.getppid() == parent:
        time.sleep(_PARENT_CHECK_SECONDS)
    os._exit(0)


_PARENT_CHECK_SECONDS = 0.2
