"""requirements.txt holds what the web and worker processes use; what only tests use is in requirements-dev.txt."""
import ast
import importlib.metadata
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CODE = [*ROOT.glob("surveys/**/*.py"), *ROOT.glob("api/**/*.py"), *ROOT.glob("config/**/*.py"), ROOT / "gunicorn.conf.py"]
# Used through another package, never imported by the project's code.
THROUGH = {
    "psycopg": "Django's PostgreSQL backend (DATABASE_URL)",
    "boto3": "django-storages' S3 backend",
    "kombu": "Celery's messaging",
    "redis": "Celery's Redis broker",
}


def pinned(name: str) -> list[str]:
    lines = (ROOT / name).read_text().splitlines()
    return [re.split(r"[\[=<>]", line)[0].strip() for line in lines if line.strip() and line[0] not in "#-"]


def modules_of(distribution: str) -> set[str]:
    wanted = distribution.lower().replace("_", "-")
    return {module for module, names in importlib.metadata.packages_distributions().items()
            if wanted in {n.lower().replace("_", "-") for n in names}}


def used_modules() -> set[str]:
    """Top-level modules the code imports, or names in a string (INSTALLED_APPS, a backend's dotted path)."""
    used = set()
    for path in CODE:
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                used |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                used.add(node.module.split(".")[0])
            elif isinstance(node, ast.Constant) and isinstance(node.value, str) and re.fullmatch(r"[\w.]+", node.value):
                used.add(node.value.split(".")[0])
    return used


def test_every_runtime_requirement_is_used_by_the_web_or_worker_code():
    used = used_modules()
    unused = [name for name in pinned("requirements.txt")
              if name.lower() not in THROUGH and not modules_of(name) & used]
    assert unused == []


def test_what_only_tests_import_is_not_a_runtime_requirement():
    runtime = {name.lower() for name in pinned("requirements.txt")}
    assert not {"exifread", "pyyaml", "pytest", "factory-boy"} & runtime
    assert {"exifread", "pyyaml"} <= {name.lower() for name in pinned("requirements-dev.txt")}
