"""The direction of imports: the API layer uses surveys/, never the other way round."""
import ast
from pathlib import Path

import surveys

SURVEYS = Path(surveys.__file__).parent


def _imported_modules(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            yield node.lineno, node.args[0].value


def test_no_module_under_surveys_imports_the_api_layer():
    modules = sorted(SURVEYS.rglob("*.py"))
    assert len(modules) > 50  # the walk sees the package, not an empty folder
    offenders = [f"{path.relative_to(SURVEYS.parent)}:{line} imports {name}"
                 for path in modules for line, name in _imported_modules(path)
                 if name == "api" or name.startswith("api.")]
    assert offenders == []


def test_the_walk_finds_an_api_import(tmp_path):
    path = tmp_path / "module.py"
    path.write_text("def f():\n    from api.serializers.entities import ClaimSerializer\n"
                    "import importlib\nimportlib.import_module('api.filters')\n")
    assert sorted(name for _, name in _imported_modules(path)) == ["api.filters", "api.serializers.entities", "importlib"]
