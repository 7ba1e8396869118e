"""Architecture rules: no import cycles, a complete layering contract, readable sizes."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
import tomllib
from collections.abc import Iterable
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("assistant", "retrieval", "finetune", "tools", "knowledge", "bench")
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


# --------------------------------------------------------------------------------------
# import cycles
# --------------------------------------------------------------------------------------
def strongly_connected(edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components with more than one node, each sorted; written
    without recursion so that a long import chain cannot hit Python's recursion limit."""
    nodes = sorted(set(edges) | {n for targets in edges.values() for n in targets})
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in nodes:
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        components.append(sorted(component))
            elif target not in index:
                index[target] = low[target] = len(index)
                stack.append(target)
                on_stack.add(target)
                work.append((target, iter(sorted(edges.get(target, ())))))
            elif target in on_stack:
                low[node] = min(low[node], index[target])
    return sorted(components)


def one_cycle(component: list[str], edges: dict[str, set[str]]) -> list[str]:
    """A shortest import path from the component's first member back to itself."""
    members = set(component)
    start = component[0]
    paths = {target: [start, target] for target in sorted(edges[start] & members)}
    frontier = list(paths)
    while start not in paths:
        following = []
        for node in frontier:
            for target in sorted(edges.get(node, set()) & members):
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    return paths[start]


def module_edges(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    return {m: set(graph.find_modules_directly_imported_by(m)) for m in graph.modules}


def package_edges(graph: grimp.ImportGraph) -> dict[str, set[str]]:
    """Imports between top-level packages."""
    edges: dict[str, set[str]] = {}
    for module, imported in module_edges(graph).items():
        top = module.split(".")[0]
        edges.setdefault(top, set()).update(
            other for other in (i.split(".")[0] for i in imported) if other != top
        )
    return edges


def describe_cycles(edges: dict[str, set[str]]) -> list[str]:
    """One line per cycle: its members, and one path around it."""
    return [
        f"{', '.join(component)}: {' -> '.join(one_cycle(component, edges))}"
        for component in strongly_connected(edges)
    ]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    # grimp reads every import statement, the ones inside functions too
    return grimp.build_graph(*PACKAGES, cache_dir=None)


def test_no_import_cycles_between_modules(graph: grimp.ImportGraph) -> None:
    cycles = describe_cycles(module_edges(graph))
    assert not cycles, "import cycles between modules:\n" + "\n".join(cycles)


def test_no_import_cycles_between_top_level_packages(graph: grimp.ImportGraph) -> None:
    cycles = describe_cycles(package_edges(graph))
    assert not cycles, "import cycles between packages:\n" + "\n".join(cycles)


def _write_package(root: Path, name: str, modules: dict[str, str]) -> None:
    (root / name).mkdir()
    (root / name / "__init__.py").write_text("", encoding="utf-8")
    for module, source in modules.items():
        (root / name / f"{module}.py").write_text(textwrap.dedent(source), encoding="utf-8")


def test_cycle_checks_see_imports_inside_functions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lazy = "def f() -> None:\n    import {}  # noqa: F401\n"
    _write_package(
        tmp_path,
        "archprobe_one",
        {
            "a": "import archprobe_one.b\n",
            "b": lazy.format("archprobe_one.a"),
            "c": lazy.format("archprobe_two.d"),
        },
    )
    _write_package(tmp_path, "archprobe_two", {"d": lazy.format("archprobe_one.a")})
    monkeypatch.syspath_prepend(str(tmp_path))
    probe = grimp.build_graph("archprobe_one", "archprobe_two", cache_dir=None)
    assert describe_cycles(module_edges(probe)) == [
        "archprobe_one.a, archprobe_one.b: archprobe_one.a -> archprobe_one.b -> archprobe_one.a"
    ]
    assert describe_cycles(package_edges(probe)) == [
        "archprobe_one, archprobe_two: archprobe_one -> archprobe_two -> archprobe_one"
    ]
    for name in [m for m in sys.modules if m.startswith("archprobe_")]:
        monkeypatch.delitem(sys.modules, name)


def test_retrieval_contract_names_every_tools_package_but_common(
    graph: grimp.ImportGraph,
) -> None:
    """The contract lists what retrieval may not import; a new tools package must join it."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    [contract] = [
        c
        for c in contracts
        if c["type"] == "forbidden"
        and c["source_modules"] == ["retrieval"]
        and all(m.startswith("tools.") for m in c["forbidden_modules"])
    ]
    assert set(contract["forbidden_modules"]) == graph.find_children("tools") - {"tools.common"}


# --------------------------------------------------------------------------------------
# sizes
# --------------------------------------------------------------------------------------
def python_files(root: Path = ROOT) -> list[Path]:
    """Tracked and new (untracked, not ignored) *.py files of the packages."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--"]
            + [f"{package}/*.py" for package in PACKAGES],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        files = [root / name for name in listed]
    except (OSError, subprocess.CalledProcessError):  # not a git checkout
        files = [path for package in PACKAGES for path in (root / package).rglob("*.py")]
    # a tracked file that was moved or deleted in the working tree is listed but gone
    return sorted({path for path in files if path.is_file()})


def _exempt(relative: str, name: str) -> bool:
    # a training script's main() reads as one recipe, like the transformers examples
    return relative.startswith("finetune/") and name == "main"


def _functions(tree: ast.AST, prefix: str = "") -> Iterable[tuple[str, ast.AST]]:
    """(qualified name, node) of every function, nested ones and methods included."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield f"{prefix}{node.name}", node
            yield from _functions(node, f"{prefix}{node.name}.")
        elif isinstance(node, ast.ClassDef):
            yield from _functions(node, f"{prefix}{node.name}.")
        else:
            yield from _functions(node, prefix)


def oversized(files: Iterable[Path], root: Path) -> list[str]:
    """Modules over MAX_MODULE_LINES and functions over MAX_FUNCTION_LINES (from the `def`
    line to the function's last line), each with its length."""
    offenders = []
    for path in files:
        relative = path.relative_to(root).as_posix()
        source = path.read_text(encoding="utf-8")
        lines = len(source.splitlines())
        if lines > MAX_MODULE_LINES:
            offenders.append(f"{relative}: {lines} lines (at most {MAX_MODULE_LINES})")
        for name, node in _functions(ast.parse(source, filename=str(path))):
            assert isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            if length > MAX_FUNCTION_LINES and not _exempt(relative, node.name):
                offenders.append(
                    f"{relative}:{node.lineno} {name}(): {length} lines "
                    f"(at most {MAX_FUNCTION_LINES})"
                )
    return offenders


def test_modules_and_functions_stay_small() -> None:
    files = python_files()
    assert len(files) > 50, "the package files were not found"
    offenders = oversized(files, ROOT)
    assert not offenders, "too long:\n" + "\n".join(offenders)


def test_size_check_names_each_offender(tmp_path: Path) -> None:
    body = "".join(f"    x{i} = {i}\n" for i in range(59))
    long_function = f"def long() -> None:\n{body}    return None\n"  # 61 lines
    just_fits = f"def fits() -> None:\n{body}"  # 60 lines
    method = f"class C:\n    @staticmethod\n{textwrap.indent(long_function, '    ')}"
    (tmp_path / "pkg").mkdir()
    module = tmp_path / "pkg" / "big.py"
    source = long_function + just_fits + method
    padding = "# filler\n" * (MAX_MODULE_LINES + 1 - source.count("\n"))
    module.write_text(source + padding, encoding="utf-8")
    (tmp_path / "finetune").mkdir()
    script = tmp_path / "finetune" / "train.py"
    script.write_text(long_function.replace("long", "main"), encoding="utf-8")
    other = tmp_path / "pkg" / "script.py"
    other.write_text(long_function.replace("long", "main"), encoding="utf-8")
    assert oversized([module, script, other], tmp_path) == [
        f"pkg/big.py: {MAX_MODULE_LINES + 1} lines (at most {MAX_MODULE_LINES})",
        "pkg/big.py:1 long(): 61 lines (at most 60)",
        "pkg/big.py:124 C.long(): 61 lines (at most 60)",
        "pkg/script.py:1 main(): 61 lines (at most 60)",
    ]
