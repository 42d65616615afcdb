"""The tree's layers hold: no module imports a layer above its own, and no screen imports another.

Read from the source with `ast` (imports inside functions count too), so a lazy import cannot hide
an upward dependency. The layers are drawn in docs/architecture.md.
"""
import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# lowest first; a module may import its own layer and those before it
LAYERS = [
    ("shared", ["simulator.paths", "simulator.safetext", "simulator.files", "simulator.i18n", "simulator.i18n_data", "simulator.vocabulary", "simulator.__init__"]),
    ("engine", ["simulator.engine"]),
    ("content", ["simulator.content"]),
    ("readers", ["scoring", "simulator.records", "simulator.authoring"]),
    ("presentation", ["simulator.ui", "simulator.cli"]),
]


def _layer(module: str) -> int | None:
    if module == "simulator":
        module = "simulator.__init__"  # the package itself holds only its version
    for rank, (_, prefixes) in enumerate(LAYERS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return rank
    return None


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every module `path` imports, absolute, with the line it is imported on."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module
            found.append((target, node.lineno))
            found += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]  # `from . import x`
    return found


SOURCES = sorted(p for folder in ("simulator", "scoring") for p in (ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_import_runs_up_a_layer(path):
    own = _layer(_module_name(path))
    assert own is not None, f"{path} is in no layer: add its package to LAYERS and docs/architecture.md"
    upward = [(target, line) for target, line in _imports(path)
              if (rank := _layer(target)) is not None and rank > own]
    assert not upward, f"{path.relative_to(ROOT)} imports above its layer ({LAYERS[own][0]}): {upward}"


def test_the_engine_imports_nothing_else_of_parleys():
    for path in (ROOT / "simulator" / "engine").rglob("*.py"):
        others = [t for t, _ in _imports(path) if _layer(t) is not None and _layer(t) != _layer("simulator.engine")]
        assert not others, f"{path.relative_to(ROOT)} imports {others}"


def test_no_screen_imports_another_screen():
    screens = ROOT / "simulator" / "ui" / "screens"
    names = {p.stem for p in screens.glob("*.py")} - {"__init__", "base"}
    for path in screens.glob("*.py"):
        others = {t.rsplit(".", 1)[-1] for t, _ in _imports(path)
                  if t.startswith("simulator.ui.screens.")} & names - {path.stem}
        assert not others, f"{path.name} imports the screens {sorted(others)}; ask app.flow for them instead"


def test_no_import_circle_between_modules():
    modules = {_module_name(p): p for p in SOURCES}
    graph = {name: {t for t, _ in _imports(path) if t in modules and t != name} for name, path in modules.items()}
    for name, path in modules.items():  # a package's __init__ is not an edge to its own submodules' importers
        graph[name] = {t for t in graph[name] if not name.startswith(t + ".")}
    state: dict[str, int] = {}

    def visit(node, trail):
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                raise AssertionError("import circle: " + " -> ".join(trail[trail.index(nxt):] + [nxt]))
            if nxt not in state:
                visit(nxt, trail + [nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
