"""docs/architecture.md holds in the code: no import cycle, no arrow up, small modules."""

import ast
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).parent.parent
PACKAGE = ROOT / "kiosk"
PAGE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
MAX_LINES = 400


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(path): path
    for path in sorted(PACKAGE.rglob("*.py"))
    if "translations" not in path.parts
}


def runtime_nodes(tree: ast.AST):
    """Every node, but not those under `if TYPE_CHECKING:` (imports for annotations only)."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from (n for child in node.orelse for n in [child, *runtime_nodes(child)])
            continue
        yield node
        yield from runtime_nodes(node)


def imports_of(name: str) -> set[str]:
    """Every kiosk module `name` imports, at the top or inside a function."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                source = ".".join([*base, node.module] if node.module else base)
            else:
                source = node.module
            # "from . import views" names a module; "from . import create_app" names the root
            for alias in node.names:
                found.add(
                    f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source
                )
    return {module for module in found if module in MODULES}


GRAPH = {name: imports_of(name) for name in MODULES}


def table(header: str) -> list[list[str]]:
    """The rows of the markdown table whose header row is `header`."""
    lines = PAGE.split(f"\n{header}\n", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def names(cell: str) -> list[str]:
    return re.findall(r"`([\w.]+)`", cell)


def in_part(module: str, part: str) -> bool:
    """A part includes its sub-modules; `kiosk` alone is the package root."""
    if part == "kiosk":
        return module == "kiosk"
    return module == part or module.startswith(part + ".")


RULES = [(names(row[0])[0], names(row[1])) for row in table("| part | never imports |")]


def test_the_page_states_the_rules_of_the_design():
    rules = dict(RULES)
    lower = ("kiosk.models", "kiosk.db", "kiosk.migrations", "kiosk.reports", "kiosk.sync")
    for part in (*lower, "kiosk.scheduler"):
        assert {"kiosk", "kiosk.cli", "kiosk.views"} <= set(rules[part]), part
    assert "kiosk.review" in rules["kiosk.sync"]


def test_every_part_of_the_tree_is_on_the_page():
    described = {names(row[0])[0] for row in table("| part | what it holds |")}
    parts = {".".join(module.split(".")[:2]) for module in MODULES}
    assert parts - described == set()
    assert {part for part in described if part not in parts} == set()


@pytest.mark.parametrize(("part", "forbidden"), RULES, ids=[part for part, _ in RULES])
def test_no_part_imports_what_its_rule_forbids(part, forbidden):
    broken = [
        f"{module} imports {target}"
        for module, targets in GRAPH.items()
        if in_part(module, part)
        for target in targets
        if any(in_part(target, other) for other in forbidden)
    ]
    assert broken == []


def test_no_import_cycle():
    cycles = []
    index, low, stack, on_stack, counter = {}, {}, [], set(), [0]

    def visit(module):  # Tarjan's strongly connected components
        index[module] = low[module] = counter[0]
        counter[0] += 1
        stack.append(module)
        on_stack.add(module)
        for target in GRAPH[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while not component or component[-1] != module:
                component.append(stack.pop())
                on_stack.discard(component[-1])
            if len(component) > 1 or module in GRAPH[module]:
                cycles.append(sorted(component))

    for module in GRAPH:
        if module not in index:
            visit(module)
    assert cycles == []


def test_no_module_is_over_400_lines():
    long = {
        name: lines
        for name, path in MODULES.items()
        if not in_part(name, "kiosk.migrations")
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


def library_users(dotted: str) -> set[str]:
    """Modules that import `click`, or the name `Blueprint` from `flask`, …"""
    library, _, name = dotted.rpartition(".") if "." in dotted else (dotted, "", "")
    users = set()
    for module, path in MODULES.items():
        for node in runtime_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if name and isinstance(node, ast.ImportFrom) and node.module == library:
                if any(alias.name == name for alias in node.names):
                    users.add(module)
            elif not name and isinstance(node, ast.Import | ast.ImportFrom):
                modules = (
                    [alias.name for alias in node.names]
                    if isinstance(node, ast.Import)
                    else [node.module or ""]
                )
                if any(m == dotted or m.startswith(dotted + ".") for m in modules):
                    users.add(module)
    return users


LIBRARY_RULES = [(names(row[0])[0], names(row[1])) for row in table("| library name | only in |")]


@pytest.mark.parametrize(("library", "allowed"), LIBRARY_RULES, ids=[r[0] for r in LIBRARY_RULES])
def test_libraries_stay_in_their_part(library, allowed):
    assert LIBRARY_RULES, "the page lists no library rule"
    strays = {
        module
        for module in library_users(library)
        if not any(in_part(module, part) for part in allowed)
    }
    assert strays == set()


def test_the_rules_are_not_empty():
    """A page edited into an unreadable table must not pass by checking nothing."""
    assert len(RULES) >= 10
    assert len(LIBRARY_RULES) >= 3
    assert sum(len(targets) for targets in GRAPH.values()) > 100
