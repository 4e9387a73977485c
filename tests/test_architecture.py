"""The import rules that keep Probity's packages apart, checked by parsing every module.

Domain packages never import the router (bot.assistant), a surface or the composition
root; packages do not import each other in a circle; the workflow engine stays pure (no
SQLAlchemy, no directory). Imports under `if TYPE_CHECKING:` count too: a type-only
dependency on the router is still a dependency on the router.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"
DOMAIN = ("bot.reporting", "bot.workflows", "bot.casework", "bot.knowledge", "bot.store")
OUTER = ("bot.assistant", "bot.surfaces", "bot.app", "bot.cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> Iterator[str]:
    """Every bot.* module `path` imports, anywhere in the file (functions included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path) if path.name == "__init__.py" else \
        module_name(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                yield ".".join([*base, node.module] if node.module else base)
            elif node.module:
                yield node.module


def graph() -> dict[str, set[str]]:
    return {module_name(path): {name for name in imports_of(path) if name.startswith("bot")}
            for path in sorted(BOT.rglob("*.py"))}


def unit(module: str) -> str:
    """The package a module belongs to for the cycle rule: bot.x for bot.x.y, else itself."""
    parts = module.split(".")
    return ".".join(parts[:2])


def within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def test_the_parser_sees_imports_inside_functions(tmp_path: Path) -> None:
    sample = BOT / "reporting" / "chat.py"
    assert "bot.workflows.engine" in set(imports_of(sample))


def test_no_domain_package_imports_the_router_a_surface_or_the_root() -> None:
    offences = sorted(f"{module} imports {target}"
                      for module, targets in graph().items() if within(module, DOMAIN)
                      for target in targets if within(target, OUTER))
    assert offences == []


def test_the_engine_imports_neither_the_directory_nor_sqlalchemy() -> None:
    engine = BOT / "workflows" / "engine.py"
    imported = set(imports_of(engine))
    tree = ast.parse(engine.read_text(encoding="utf-8"))
    third_party = {alias.name.split(".")[0] for node in ast.walk(tree)
                   if isinstance(node, ast.Import) for alias in node.names}
    third_party |= {node.module.split(".")[0] for node in ast.walk(tree)
                    if isinstance(node, ast.ImportFrom) and node.module and not node.level}
    assert "bot.directory" not in imported
    assert "sqlalchemy" not in third_party
    assert not any(within(name, ("bot.store",)) for name in imported)


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    """One cycle in a directed graph, as the list of nodes round it, or None."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()

    def visit(node: str) -> list[str] | None:
        if node in on_path:
            return path[path.index(node):] + [node]
        if node in done:
            return None
        path.append(node)
        on_path.add(node)
        for target in sorted(edges.get(node, ())):
            found = visit(target)
            if found:
                return found
        path.pop()
        on_path.discard(node)
        done.add(node)
        return None

    for start in sorted(edges):
        found = visit(start)
        if found:
            return found
    return None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}}) is None


def test_packages_do_not_import_each_other_in_a_circle() -> None:
    packages: dict[str, set[str]] = {}
    for module, targets in graph().items():
        packages.setdefault(unit(module), set()).update(
            unit(target) for target in targets if unit(target) != unit(module))
    assert find_cycle(packages) is None


@pytest.mark.parametrize("module", ["bot.reporting.chat", "bot.workflows.filing"])
def test_plug_ins_are_values_not_import_time_registrations(module: str) -> None:
    path = BOT.joinpath(*module.split(".")[1:]).with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls_at_import = [node for node in tree.body if isinstance(node, ast.Expr)
                       and isinstance(node.value, ast.Call)]
    assert calls_at_import == []
