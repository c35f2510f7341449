"""Benchmark settings: production settings plus a bare DRF endpoint to compare against."""
from config.settings import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"login": "100000/min"}}  # noqa: F405
