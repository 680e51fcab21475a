"""The API answers exactly what the command line prints, valid against the schemas in schemas/."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from provenance import record
from provenance.cli import main
from provenance.project import Project

from ..conftest import Chain
from .conftest import a1111_png, stripped_copy, unrelated_png

SCHEMAS = Path(__file__).parents[2] / "schemas"


def _schema(name: str) -> dict:  # type: ignore[type-arg]
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _cli(project: Project, *arguments: str) -> str:
    result = CliRunner().invoke(main, ["--project", str(project.root), *arguments])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.stdout


@pytest.mark.parametrize("kind", ["our final", "stripped copy", "a1111", "unknown"])
def test_api_audit_is_exactly_audit_json(
    client: TestClient, project: Project, chain: Chain, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    name, data = {
        "our final": ("final.png", lambda: project.absolute(chain.final.path).read_bytes()),
        "stripped copy": ("posted.jpg", lambda: stripped_copy(project.absolute(chain.final.path))),
        "a1111": ("a1111.png", a1111_png),
        "unknown": ("noise.png", unrelated_png),
    }[kind]
    content = data()
    folder = tmp_path / "here"
    folder.mkdir()
    (folder / name).write_bytes(content)
    monkeypatch.chdir(folder)
    expected = _cli(project, "audit", name, "--json")

    response = client.post("/api/audit", files={"file": (name, content, "application/octet-stream")})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.text == expected
    jsonschema.validate(response.json(), _schema("audit-report.v1.json"))


def test_api_credits_is_exactly_credits_format_json(client: TestClient, project: Project, chain: Chain) -> None:
    response = client.get("/api/productions/harbor/credits")
    assert response.status_code == 200
    assert response.text == _cli(project, "credits", "harbor", "--format", "json")
    jsonschema.validate(response.json(), _schema("credit-sheet.v1.json"))
    one = client.get("/api/productions/harbor/credits", params={"background": "harbor/C012"})
    assert one.text == _cli(project, "credits", "harbor", "--format", "json", "--background", "harbor/C012")


def test_api_credits_refuses_gaps_as_the_cli_does(client: TestClient, project: Project, chain: Chain) -> None:
    stage_id = record.record_external_stage(project, "harbor/C012", "art_check")
    refused = client.get("/api/productions/harbor/credits")
    assert refused.status_code == 409
    assert refused.json()["status"] == 409
    assert f"1 stage has no named person (harbor/C012 art_check {stage_id[:8]})" in refused.json()["error"]
    allowed = client.get("/api/productions/harbor/credits", params={"allow_gaps": "1"})
    assert allowed.text == _cli(project, "credits", "harbor", "--format", "json", "--allow-gaps")
    assert allowed.json()["gaps"][0]["stage_id"] == stage_id


def test_api_lineage_is_exactly_lineage_json(client: TestClient, project: Project, chain: Chain) -> None:
    response = client.get(f"/api/assets/{chain.final.asset_id}/lineage")
    assert response.status_code == 200
    assert response.text == _cli(project, "lineage", str(chain.final.asset_id), "--json")
    jsonschema.validate(response.json(), _schema("lineage.v1.json"))


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/assets/999/lineage", 404),
        ("/api/productions/nope/credits", 404),
        ("/api/productions/harbor/credits?background=other/C1", 404),
        ("/api/nothing", 404),
    ],
)
def test_api_errors_are_json(client: TestClient, chain: Chain, url: str, status: int) -> None:
    response = client.get(url)
    assert response.status_code == status and response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["status"] == status and body["error"] and "\n" not in body["error"]


def test_api_audit_without_a_file_is_a_json_error(client: TestClient) -> None:
    missing = client.post("/api/audit", files={"other": ("x.png", b"x", "image/png")})
    assert missing.status_code == 400 and "field `file`" in missing.json()["error"]
    not_a_form = client.post("/api/audit", content=b"{}", headers={"content-type": "application/json"})
    assert not_a_form.status_code == 400 and "multipart/form-data" in not_a_form.json()["error"]
    wrong_method = client.get("/api/audit")
    assert wrong_method.status_code == 405 and wrong_method.json()["status"] == 405


def test_the_openapi_description_uses_the_committed_schemas(client: TestClient) -> None:
    document = client.get("/api/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == {"/api/audit", "/api/productions/{handle}/credits", "/api/assets/{id}/lineage"}
    schemas = document["components"]["schemas"]
    assert schemas["AuditReport"] == _schema("audit-report.v1.json")
    assert schemas["CreditSheet"] == _schema("credit-sheet.v1.json")
    assert schemas["Lineage"] == _schema("lineage.v1.json")
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)
    upload = document["paths"]["/api/audit"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["required"] == ["file"]
    # Every $ref in the paths points at a component that exists.
    references = json.dumps(document["paths"])
    for name in ("AuditReport", "CreditSheet", "Lineage", "Error"):
        assert f"#/components/schemas/{name}" in references
