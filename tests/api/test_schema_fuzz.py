"""schemathesis against the served OpenAPI schema, in-process (WSGI), bounded in examples.

Operations are parametrized by hand (one pytest item each) and driven through
hypothesis directly, which keeps pytest-django's database fixtures in charge.
"""
import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from config.wsgi import application
from surveys.services.tokens import token_create
from tests.factories import ClaimFactory, ObservationFactory, VisitFactory, make_user

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SCHEMA = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
OPERATIONS = {result.ok().label: result.ok() for result in SCHEMA.get_all_operations()}


@pytest.fixture
def admin(db):
    user = make_user("admin", "fuzz-admin")
    visit = VisitFactory(reporter=user)
    ObservationFactory(visit=visit)
    ClaimFactory(site=visit.site)
    return user


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_conforms_to_the_schema(label, admin):
    operation = OPERATIONS[label]

    @given(case=operation.as_strategy())
    @hypothesis_settings(max_examples=8, deadline=None, derandomize=True, database=None,
                         suppress_health_check=list(HealthCheck))
    def run(case):
        _, key = token_create(user=admin)  # fresh: a fuzzed DELETE /auth/token/ may revoke it
        case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)

    run()


def test_schema_describes_every_api_route():
    assert len(OPERATIONS) >= 30
    assert any(label.startswith("POST /api/v1/visits/{visit_id}/photos/") for label in OPERATIONS)
