"""Every function that calls select_for_update is run on PostgreSQL by the integration tier."""
import ast
from pathlib import Path

from tests.integration.test_locks import LOCKING_PATHS

ROOT = Path(__file__).resolve().parents[2]


def _locking_functions() -> set[str]:
    found = set()
    for path in [*ROOT.glob("surveys/**/*.py"), *ROOT.glob("api/**/*.py")]:
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        tree = ast.parse(path.read_text(), filename=str(path))

        def visit(node, scope):
            for child in ast.iter_child_nodes(node):
                inner = scope
                if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    inner = [*scope, child.name]
                if (isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute)
                        and child.func.attr == "select_for_update"):
                    found.add(".".join([module, *scope]))
                visit(child, inner)

        visit(tree, [])
    return found


def test_every_select_for_update_path_has_a_postgresql_test():
    missing = _locking_functions() - set(LOCKING_PATHS)
    assert not missing, (f"{sorted(missing)} lock rows with select_for_update: add a case to LOCKING_PATHS in "
                         "tests/integration/test_locks.py so that the lock runs on PostgreSQL")
    stale = set(LOCKING_PATHS) - _locking_functions()
    assert not stale, f"{sorted(stale)} no longer call select_for_update: drop them from LOCKING_PATHS"
