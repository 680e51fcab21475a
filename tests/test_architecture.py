"""The layers point one way and no module imports itself back: read from the source, not from a running process.

Every import is counted, the ones inside functions too (a lazy import still makes a cycle), except those
under ``if TYPE_CHECKING:``, which never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parents[1] / "provenance"

# Layer -> the layers it must never import (see docs/architecture.md).
JOURNEYS = ("provenance.record", "provenance.audit", "provenance.credits")
FORBIDDEN = {
    "provenance.store": ("provenance.manifests", "provenance.engine", *JOURNEYS, "provenance.cli", "c2pa"),
    "provenance.engine": ("provenance.store", "provenance.manifests", *JOURNEYS, "provenance.cli"),
    "provenance.manifests": ("provenance.store", "provenance.engine", *JOURNEYS, "provenance.cli"),
    "provenance.record": ("provenance.audit", "provenance.credits", "provenance.cli", "provenance.demo"),
    "provenance.audit": ("provenance.record", "provenance.credits", "provenance.cli", "provenance.demo"),
    "provenance.credits": ("provenance.record", "provenance.audit", "provenance.cli", "provenance.demo"),
}
SHARED = (
    "provenance.catalog",
    "provenance.asset_listing",
    "provenance.project",
    "provenance.keys",
    "provenance.signers",
    "provenance.trust",
    "provenance.imaging",
    "provenance.change_mask",
    "provenance.reidentify",
    "provenance.generator_metadata",
    "provenance.records",
    "provenance.recorded_files",
    "provenance.model_registry",
    "provenance.vocabulary",
    "provenance.plain_text",
    "provenance.documents",
    "provenance.errors",
    "provenance.fonts",
    "provenance.romanize",
)
for shared in SHARED:
    FORBIDDEN[shared] = (*JOURNEYS, "provenance.cli", "provenance.demo")
# The web viewer reads through the journeys as the CLI does and records nothing; nothing below imports it.
for layer in list(FORBIDDEN):
    FORBIDDEN[layer] = (*FORBIDDEN[layer], "provenance.web")
FORBIDDEN["provenance.web"] = ("provenance.cli", "provenance.record", "provenance.demo", "provenance.engine")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in PACKAGE.rglob("*.py")}


def imports_of(name: str) -> Iterator[str]:
    """Every module ``name`` imports at any depth of its code, as absolute names."""
    path = MODULES[name]
    tree = ast.parse(path.read_text())
    is_package = path.name == "__init__.py"
    for node in _runtime_nodes(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                submodule = f"{target}.{alias.name}"
                yield submodule if submodule in MODULES else target


def _runtime_nodes(node: ast.AST) -> Iterator[ast.AST]:
    yield node
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
            yield from (grandchild for branch in child.orelse for grandchild in _runtime_nodes(branch))
            continue  # the imports in its body never run
        yield from _runtime_nodes(child)


GRAPH = {name: {target for target in imports_of(name) if target in MODULES and target != name} for name in MODULES}


def test_there_are_no_import_cycles() -> None:
    cycles = _strongly_connected(GRAPH)
    assert cycles == [], f"import cycles: {cycles}"


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layers_point_one_way(layer: str) -> None:
    offending = sorted(
        f"{name} imports {target}"
        for name in MODULES
        if name == layer or name.startswith(layer + ".")
        for target in imports_of(name)
        if any(target == banned or target.startswith(banned + ".") for banned in FORBIDDEN[layer])
    )
    assert offending == []


def test_only_the_cli_imports_click_and_only_the_engine_imports_torch() -> None:
    offending = []
    for name in MODULES:
        for target in imports_of(name):
            root = target.split(".")[0]
            if root == "click" and not name.startswith("provenance.cli"):
                offending.append(f"{name} imports click")
            if root in ("torch", "diffusers", "transformers", "peft") and not name.startswith("provenance.engine"):
                offending.append(f"{name} imports {root}")
    assert offending == []


def test_only_the_web_viewer_imports_the_web_libraries() -> None:
    """Starlette, uvicorn and Jinja2 are the `web` extra: the rest of the package must run without them."""
    web = ("starlette", "uvicorn", "jinja2", "markupsafe", "multipart", "python_multipart")
    offending = [
        f"{name} imports {target}"
        for name in MODULES
        if not name.startswith("provenance.web") and name != "provenance.cli.serve"
        for target in imports_of(name)
        if target.split(".")[0] in web
    ]
    assert offending == []


def test_every_package_names_its_public_api() -> None:
    for name, path in MODULES.items():
        if path.name == "__init__.py" and name != "provenance.cli":
            tree = ast.parse(path.read_text())
            assigned = [node.targets for node in tree.body if isinstance(node, ast.Assign)]
            names = [target.id for targets in assigned for target in targets if isinstance(target, ast.Name)]
            assert "__all__" in names, f"{name} has no __all__"


def test_no_module_is_over_400_lines() -> None:
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) > 400}
    # validation.py is c2pa-rs's table of validation codes, one line a code: data, not logic.
    assert long.keys() <= {"provenance.manifests.validation"}, long


def test_the_checker_sees_a_cycle_when_there_is_one() -> None:
    assert _strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm: the groups of two or more modules that import each other, directly or not."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found
