"""Progress on long work: one bar per candidate, drawn only for a person at a terminal."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

from provenance.cli.app import candidate_progress
from provenance.cli.exit_codes import INTERNAL_ERROR
from provenance.project import Project

from ..conftest import Chain


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _draw(monkeypatch: pytest.MonkeyPatch, stream: io.StringIO) -> str:
    monkeypatch.setattr("sys.stderr", stream)
    with candidate_progress(2) as observe:
        for candidate in (0, 1):
            for step in (1, 2, 3):
                observe(candidate, step, 3)
    return stream.getvalue()


def test_each_candidate_gets_its_own_bar_counting_its_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn = _draw(monkeypatch, _Terminal())
    assert "Candidate 1/2" in drawn and "Candidate 2/2" in drawn
    first, second = drawn.split("Candidate 2/2", 1)
    assert "3/3" in first and "3/3" in second  # the first bar was finished before the second began


def test_no_bar_is_drawn_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _draw(monkeypatch, io.StringIO()) == ""


def test_a_command_started_with_stderr_closed_does_its_work(project: Project, chain: Chain) -> None:
    """`2>&-`: Python then sets sys.stderr to None, where every progress bar asked whether it is a terminal."""
    folder = str(project.absolute(chain.final.path).parent)
    command = [sys.executable, "-m", "provenance", "--project", str(project.root), "audit", folder]
    with_stderr = subprocess.run(command, capture_output=True, text=True, timeout=120)
    closed = subprocess.run(["sh", "-c", 'exec "$@" 2>&-', "sh", *command], capture_output=True, text=True, timeout=120)
    assert (closed.returncode, closed.stdout) == (with_stderr.returncode, with_stderr.stdout)
    assert with_stderr.returncode not in (INTERNAL_ERROR, 1), with_stderr.stderr
