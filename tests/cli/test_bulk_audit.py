"""`provenance audit FILE|DIR ...`: many files in one process, one JSON line or table row each, worst code."""

from __future__ import annotations

import io
import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner, Result
from PIL import Image

from provenance.cli import main
from provenance.cli.bulk_audit import BAR_FROM, _with_bar
from provenance.cli.exit_codes import WORST_FIRST, worst_code
from provenance.errors import InputFileError
from provenance.imaging import MAX_PIXELS_VARIABLE, max_file_bytes, read_file
from provenance.project import Project

from .. import foreign_manifests as foreign
from ..conftest import Chain

SCHEMAS = Path(__file__).parents[2] / "schemas"


def _validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(json.loads((SCHEMAS / name).read_text(encoding="utf-8")))


VALIDATORS = {
    "provenance.audit": _validator("audit-report.v1.json"),
    "provenance.audit-failure": _validator("audit-failure.v1.json"),
}


def _audit(project: Project, *args: str) -> Result:
    return CliRunner().invoke(main, ["--project", str(project.root), "audit", *args])


def _lines(result: Result) -> list[dict]:  # type: ignore[type-arg]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    for line in lines:
        VALIDATORS[line["report"]].validate(line)
    return lines


@pytest.fixture
def shelf(project: Project, chain: Chain, tmp_path: Path) -> Path:
    """A delivery folder: the final, a JPEG re-save of it in a subfolder, a sidecar, a hidden file and folder."""
    folder = tmp_path / "delivery"
    (folder / "web" / "small").mkdir(parents=True)
    shutil.copyfile(project.absolute(chain.final.path), folder / "C012.png")
    Image.open(folder / "C012.png").convert("RGB").save(folder / "web" / "small" / "C012.jpg", quality=85)
    (folder / "notes.txt").write_text("not an image")
    (folder / ".C012.png.partial").write_bytes(b"half")
    (folder / ".cache").mkdir()
    shutil.copyfile(folder / "C012.png", folder / ".cache" / "C012.png")
    return folder


def test_a_folder_is_audited_recursively_as_json_lines_each_valid(project: Project, shelf: Path) -> None:
    result = _audit(project, str(shelf), "--json")
    lines = _lines(result)
    assert [(Path(line["file"]).relative_to(shelf).as_posix(), line["verdict"]) for line in lines] == [
        ("C012.png", "trusted"),
        ("web/small/C012.jpg", "matched-without-manifest"),
    ]
    assert result.exit_code == 7  # the worst of 0 and 7


def test_every_report_line_is_the_single_files_report(project: Project, chain: Chain, shelf: Path) -> None:
    [line, _] = _lines(_audit(project, str(shelf), "--json"))
    single = _audit(project, str(shelf / "C012.png"), "--json")
    assert single.exit_code == 0 and line == json.loads(single.stdout)


def test_an_unreadable_file_in_the_middle_gets_its_line_and_the_run_goes_on(
    project: Project, chain: Chain, shelf: Path
) -> None:
    (shelf / "B.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    missing = shelf / "gone.png"
    result = _audit(project, str(shelf / "B.png"), str(missing), str(shelf), "--json")
    lines = _lines(result)
    assert [line["report"] for line in lines] == [
        "provenance.audit-failure", "provenance.audit-failure", "provenance.audit-failure",  # B.png again in shelf
        "provenance.audit", "provenance.audit",
    ]  # fmt: skip
    assert lines[1]["file"] == str(missing) and "does not exist" in lines[1]["error"]
    assert result.exit_code == 1  # unreadable is worse than matched-without-manifest (7)
    table = _audit(project, str(shelf))
    assert table.exit_code == 1
    rows = table.stdout.splitlines()
    assert any(row.startswith(str(shelf / "B.png")) and "unreadable" in row for row in rows)
    assert any("C012.png" in row and "trusted" in row and "harbor/C012" in row for row in rows)
    assert any(row.startswith("Unreadable: ") and "B.png" in row for row in rows)
    assert rows[-1] == "3 files: 1 unreadable, 1 trusted, 1 matched-without-manifest; exit code 1, the worst"


def test_the_worst_verdict_sets_the_exit_code(project: Project, chain: Chain, shelf: Path, tmp_path: Path) -> None:
    partner = foreign.fresh_identity(tmp_path / "partner", "Partner Studio")
    (shelf / "web" / "tampered.png").write_bytes(foreign.changed_pixel(foreign.human_sketch(partner)))
    (shelf / "web" / "broken.png").write_bytes(b"not an image")
    result = _audit(project, str(shelf), "--json")
    verdicts = [line.get("verdict", "unreadable") for line in _lines(result)]
    assert sorted(verdicts) == ["matched-without-manifest", "tampered", "trusted", "unreadable"]
    assert result.exit_code == 4  # tampered is the worst there is


def test_worst_first_orders_every_code() -> None:
    assert worst_code([]) == 0
    assert worst_code([0, 9, 3]) == 3
    assert worst_code([7, 5, 8]) == 8
    assert worst_code([10, 1]) == 1
    assert worst_code([1, 6, 4]) == 4
    assert len(set(WORST_FIRST)) == len(WORST_FIRST) == 10


def test_the_table_has_a_row_per_file(project: Project, chain: Chain) -> None:
    result = _audit(project, str(project.root / "assets"))
    assert result.exit_code == 0, result.output
    header, rule, *rows = result.stdout.split("\n\n")[0].splitlines()
    assert header.split() == ["file", "verdict", "background", "AI", "share", "people"]
    assert len(rows) == 5  # the sketch, three candidates and the paint-over
    final = next(row for row in rows if chain.final.path in row)
    assert "trusted" in final and "harbor/C012" in final and "suzuki-ren" in final and "%" in final


def test_sheet_or_heatmap_with_several_files_is_a_usage_error(project: Project, chain: Chain, tmp_path: Path) -> None:
    final = str(project.absolute(chain.final.path))
    for option in ("--sheet", "--heatmap"):
        for files in ([final, final], [str(project.root / "assets")]):
            result = _audit(project, *files, option, str(tmp_path / "out.png"))
            assert result.exit_code == 2
            assert result.stderr.count("\n") == 1 and "give a single FILE" in result.stderr
            assert not (tmp_path / "out.png").exists()


def test_a_folder_without_images_is_one_line(project: Project, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    result = _audit(project, str(tmp_path / "empty"))
    assert result.exit_code == 1 and result.stderr.count("\n") == 1 and "no image files" in result.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("stderr", "stdout", "streaming", "files", "drawn"),
    [
        (_Terminal, io.StringIO, True, BAR_FROM, True),  # JSON Lines piped on, a person watching stderr
        (_Terminal, _Terminal, False, BAR_FROM, True),  # the table comes at the end
        (_Terminal, _Terminal, True, BAR_FROM, False),  # JSON Lines on the same terminal: no bar between them
        (io.StringIO, io.StringIO, False, BAR_FROM, False),  # a log or a script
        (_Terminal, io.StringIO, False, BAR_FROM - 1, False),  # over before a bar would say anything
    ],
)
def test_a_long_run_draws_a_bar_for_a_person_at_a_terminal(
    monkeypatch: pytest.MonkeyPatch, stderr: type, stdout: type, streaming: bool, files: int, drawn: bool
) -> None:
    err = stderr()
    monkeypatch.setattr("sys.stderr", err)
    monkeypatch.setattr("sys.stdout", stdout())
    targets = [(Path(f"{n}.png"), InputFileError(f"{n}.png is gone")) for n in range(files)]
    results = list(_with_bar(None, targets, deep=False, streaming=streaming))  # type: ignore[arg-type]
    assert [path for path, _ in results] == [path for path, _ in targets]
    assert (f"{files}/{files}" in err.getvalue()) is drawn


def test_pipes_devices_and_names_that_are_not_utf8_each_get_their_own_line(
    project: Project, chain: Chain, shelf: Path
) -> None:
    os.mkfifo(shelf / "x.png")  # read, it would wait for a writer for ever
    (shelf / "z.png").symlink_to("/dev/zero")  # read, it would never end
    odd = Path(os.fsdecode(bytes(shelf / "C012_") + b"\xe9t\xe9.png"))  # Latin-1 bytes, not UTF-8
    shutil.copyfile(shelf / "C012.png", odd)
    result = _audit(project, str(shelf), "--json")
    lines = {Path(line["file"]).name: line for line in _lines(result)}
    assert lines["C012_\\xe9t\\xe9.png"]["verdict"] == "trusted"  # the bytes written as Python writes them
    for name in ("x.png", "z.png"):
        assert lines[name]["report"] == "provenance.audit-failure" and "is not a file" in lines[name]["error"]
    assert result.exit_code == 1 and result.stderr == ""
    single = _audit(project, str(odd), "--json")
    assert single.exit_code == 0 and json.loads(single.stdout)["file"].endswith("C012_\\xe9t\\xe9.png")
    table = _audit(project, str(odd), str(shelf / "x.png"))
    assert "C012_\\xe9t\\xe9.png" in table.stdout and table.exit_code == 1


def test_a_pipe_put_in_a_files_place_after_the_look_is_refused_not_waited_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.mkfifo(tmp_path / "x.png")
    monkeypatch.setattr(Path, "is_file", lambda self: True)  # as if it were a file when looked at
    with pytest.raises(InputFileError, match="x.png is not a file"):
        read_file(tmp_path / "x.png")


def test_a_huge_file_named_like_a_picture_is_refused_before_it_is_read(
    project: Project, chain: Chain, shelf: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(MAX_PIXELS_VARIABLE, "1000")
    with (shelf / "huge.png").open("wb") as huge:
        huge.truncate(max_file_bytes() + 1)  # sparse: no disk is spent
    result = _audit(project, str(shelf / "huge.png"), str(shelf / "C012.png"), "--json")
    failure, report = _lines(result)
    assert failure["file"] == str(shelf / "huge.png") and "larger than any picture" in failure["error"]
    assert report["report"] == "provenance.audit" and result.exit_code == 1


def test_an_empty_name_is_refused_not_taken_for_the_current_folder(project: Project, chain: Chain) -> None:
    # "$FILE" with FILE unset: Path("") is ".", which would audit every image under the current folder.
    final = str(project.absolute(chain.final.path))
    for args in ([""], [final, ""]):
        result = _audit(project, *args, "--json")
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr.count("\n") == 1 and "an empty name is no file or folder" in result.stderr
