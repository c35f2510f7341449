import pytest


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a block's on-commit work (tasks are eager in tests), as a worker would after commit."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
