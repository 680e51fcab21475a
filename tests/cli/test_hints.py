"""Every `provenance ...` command that an error message or hint names exists, with the options it names.

The commands are read from the source: every string in the package that is not a docstring (f-strings with
their placeholders), so a hint added tomorrow is checked too. A hint that names a command which does not
exist sends a newcomer nowhere (issue #10: "`provenance asset list` lists them" before that command existed).
"""

from __future__ import annotations

import ast
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from provenance.cli import GLOBAL_OPTIONS, main
from provenance.project import Project

from ..conftest import Chain

PACKAGE = Path(__file__).parents[2] / "provenance"
# The program followed by a command (`provenance` alone names the program, not a command).
_QUOTED_COMMAND = re.compile(r"`(provenance [^`]+)`")
# `provenance credits PRODUCTION` means `provenance credits export PRODUCTION` (cli/credits.py).
_DEFAULT_SUBCOMMAND = {"credits": "export"}


def hints_in_source() -> Iterator[tuple[str, str]]:
    """``(where, command)`` for every `provenance ...` in backticks in a string that is not a docstring."""
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        in_fstrings = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr) for part in node.values}
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr):
                text = "".join(
                    part.value if isinstance(part, ast.Constant) else "{" + ast.unparse(part.value) + "}"  # type: ignore[attr-defined]
                    for part in node.values
                )
            elif (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and id(node) not in in_fstrings
            ):
                text = node.value
            else:
                continue
            for command in _QUOTED_COMMAND.findall(text):
                yield f"{path.relative_to(PACKAGE.parent)}:{node.lineno}", command


HINTS = sorted(set(hints_in_source()))


def resolve(words: list[str]) -> tuple[click.Command, list[str], list[str]]:
    """The command a list of words after `provenance` runs, the names of its path, and the words left."""
    command: click.Command = main
    names: list[str] = []
    context = click.Context(main)
    while isinstance(command, click.Group):
        word = words[0] if words and not words[0].startswith("-") else None
        found = command.get_command(context, word) if word else None
        if found is None:
            default = _DEFAULT_SUBCOMMAND.get(names[-1]) if names else None
            if default is None:
                break
            found, word = command.get_command(context, default), default
        else:
            words = words[1:]
        assert found is not None and word is not None
        command, names = found, [*names, word]
    return command, names, words


def test_the_source_has_hints_to_check() -> None:
    """The extraction finds the hints it must (a broken regex would make the test below pass on nothing)."""
    commands = {command for _, command in HINTS}
    assert {"provenance asset list", "provenance init", "provenance check --fix"} <= commands
    assert any(command.startswith("provenance revise {") for command in commands)  # an f-string, placeholders kept


def problem_with(hint: str) -> str | None:
    """What is wrong with a hinted command line (placeholders stand for any value), or None."""
    words = shlex.split(re.sub(r"\{[^}]*\}", "X", hint))[1:]
    command, names, rest = resolve(words)
    if not names:
        return f"{words[0] if words else 'nothing'} is no command"
    if isinstance(command, click.Group) and rest and not rest[0].startswith("-"):
        # A group alone is fine (`provenance trust` lists its commands); a word after it must be one of them.
        return f"{rest[0]!r} is no command of {' '.join(names)}"
    options = {option for param in command.params for option in param.opts + param.secondary_opts}
    for word in rest:
        flag = word.split("=", 1)[0]
        if flag.startswith("--") and flag not in options and flag not in GLOBAL_OPTIONS:
            return f"{' '.join(names)} has no {flag}"
    return None


@pytest.mark.parametrize(("where", "hint"), HINTS, ids=[f"{w} {h}" for w, h in HINTS])
def test_every_command_a_hint_names_exists(where: str, hint: str) -> None:
    assert problem_with(hint) is None, f"{where}: `{hint}`: {problem_with(hint)}"


def test_a_hint_naming_a_missing_command_or_option_is_caught() -> None:
    assert problem_with("provenance assets list") == "assets is no command"
    assert problem_with("provenance asset lsit") == "'lsit' is no command of asset"
    assert problem_with("provenance check --fixit") == "check has no --fixit"
    assert problem_with("provenance credits harbor --format pdf") is None  # `credits` exports by default
    assert problem_with("provenance audit {path} --project {root}") is None  # global options after the command


def test_the_hint_for_an_ai_file_runs_as_printed(
    project: Project, chain: Chain, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Recording a candidate as a paint-over is refused with the command that records it honestly; that runs."""
    monkeypatch.chdir(project.root)
    other = chain.candidates[2]
    refused = CliRunner().invoke(main, ["revise", str(chain.chosen.asset_id), other.path, "--artist", "suzuki-ren"])
    assert refused.exit_code != 0
    hinted = re.search(r"`(provenance [^`]*)`", refused.stderr)
    assert hinted, refused.stderr
    assert hinted.group(1) == f"provenance revise {other.asset_id} {other.path} --artist suzuki-ren"
    done = CliRunner().invoke(main, shlex.split(hinted.group(1))[1:])
    assert done.exit_code == 0, done.output
    assert "Recorded paint-over: asset #" in done.stdout


def test_the_hint_for_an_unknown_asset_runs_as_printed(project: Project, chain: Chain) -> None:
    """`there is no asset #99; `provenance asset list` lists them`: it does, with the ids that exist."""
    refused = CliRunner().invoke(main, ["--project", str(project.root), "lineage", "99"])
    assert refused.exit_code != 0
    hinted = re.search(r"`(provenance [^`]*)`", refused.stderr)
    assert hinted and hinted.group(1) == "provenance asset list"
    listed = CliRunner().invoke(main, ["--project", str(project.root), *shlex.split(hinted.group(1))[1:]])
    assert listed.exit_code == 0, listed.output
    first_column = [line.split()[0] for line in listed.stdout.splitlines()[2:]]
    assert first_column == [str(asset_id) for asset_id in range(1, chain.final.asset_id + 1)]
