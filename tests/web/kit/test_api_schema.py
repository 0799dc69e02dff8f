"""Schemathesis over /api/openapi.json, against the demo data (issue 13, "Done when").

Every operation the document states gets valid requests (which must not fail with
5xx and must answer as documented) and invalid ones (wrong types, out-of-range
integers, values outside an enum, which must be refused with a 4xx, never served
with 200). Bounded: a fixed number of examples per operation, generated from a
fixed seed (``derandomize``), so the run is the same every time and takes seconds.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    status_code_conformance,
)
from schemathesis.core.result import Err, Ok
from schemathesis.specs.openapi.schemas import OpenApiSchema
from starlette.applications import Starlette
from starlette.routing import Route

EXAMPLES = 12
CHECKS = {
    GenerationMode.POSITIVE: [
        not_a_server_error,
        status_code_conformance,
        content_type_conformance,
    ],
    GenerationMode.NEGATIVE: [not_a_server_error, negative_data_rejection],
}


def run_operation(operation: Any, mode: GenerationMode) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        case.call_and_validate(checks=CHECKS[mode])

    check()


def _ok(result: Ok[Any] | Err[Any]) -> Any:
    """The operation schemathesis read, or a failure naming the schema error."""
    assert isinstance(result, Ok), result
    return result.ok()


@pytest.fixture
def api(demo_app: Starlette) -> OpenApiSchema:
    return schemathesis.openapi.from_asgi("/api/openapi.json", demo_app)


def test_every_api_route_is_in_the_openapi_document(
    api: OpenApiSchema, demo_app: Starlette
) -> None:
    documented = {_ok(op).path for op in api.get_all_operations()}
    served = {
        route.path.replace(":int}", "}")
        for route in demo_app.routes
        if isinstance(route, Route) and route.path.startswith(("/api/v1/", "/plan/feed"))
    }
    assert served - documented == set()


def test_path_parameters_are_declared(demo_app: Starlette) -> None:
    """Schemathesis guesses undeclared path parameters as strings; the document
    itself must declare each, as an integer."""
    from web.api import openapi_document

    undeclared = []
    for path, item in openapi_document()["paths"].items():
        for method, operation in item.items():
            named = set(re.findall(r"{(\w+)}", path))
            declared = {
                p["name"]: p["schema"]["type"]
                for p in operation.get("parameters", [])
                if p["in"] == "path"
            }
            if declared != dict.fromkeys(named, "integer"):
                undeclared.append(f"{method.upper()} {path}")
    assert undeclared == []


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_schemathesis_finds_nothing(api: OpenApiSchema, mode: GenerationMode) -> None:
    failures = []
    for result in api.get_all_operations():
        operation = _ok(result)
        if mode is GenerationMode.NEGATIVE and not list(operation.iter_parameters()):
            continue  # nothing that could be invalid
        try:
            run_operation(operation, mode)
        except (Exception, BaseExceptionGroup) as error:  # name every failing operation
            failures.append(f"{operation.method.upper()} {operation.path}: {error}")
    assert not failures, "\n\n".join(failures)
