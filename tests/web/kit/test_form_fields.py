"""The shared form-field macro renders real HTML attributes.

Parsed with an HTML5 parser (tinyhtml5, the parser WeasyPrint already ships), so a
run-together attribute such as ``value=""requiredautocomplete="name"`` shows up as one
unknown attribute instead of ``required`` and ``autocomplete``.
"""

from __future__ import annotations

from typing import Any

import pytest
import tinyhtml5

from tests.conftest import PASSWORD
from tests.support.client import FormClient

XHTML = "{http://www.w3.org/1999/xhtml}"
# Every attribute the macro may write on its <input>.
MACRO_ATTRIBUTES = {
    "id",
    "name",
    "type",
    "value",
    "required",
    "autocomplete",
    "aria-describedby",
    "aria-invalid",
}


def macro_inputs(html: str) -> dict[str, dict[str, str]]:
    """The inputs the macro rendered (id ``f-…``), by name, with their attributes."""
    document = tinyhtml5.parse(html)
    found: dict[str, dict[str, str]] = {}
    for element in document.iter(f"{XHTML}input"):
        if element.get("id", "").startswith("f-"):
            found[element.get("name", "")] = dict(element.attrib)
    return found


def assert_real_attributes(inputs: dict[str, dict[str, str]]) -> None:
    for name, attributes in inputs.items():
        unknown = set(attributes) - MACRO_ATTRIBUTES
        assert not unknown, f"{name}: run-together attributes {unknown}"


def test_sign_up_fields_are_required_with_autocomplete_and_hints(client: FormClient) -> None:
    inputs = macro_inputs(client.get("/signup").text)
    assert set(inputs) == {"display_name", "login", "password", "agree"}
    assert_real_attributes(inputs)
    assert "required" in inputs["agree"] and inputs["agree"]["type"] == "checkbox"
    assert "required" in inputs["display_name"]
    assert inputs["display_name"]["autocomplete"] == "name"
    assert inputs["login"]["autocomplete"] == "username"
    assert inputs["login"]["aria-describedby"] == "f-login-hint"
    assert inputs["password"]["autocomplete"] == "new-password"
    assert "value" not in inputs["password"]


def test_sign_in_fields_are_required_with_autocomplete(client: FormClient) -> None:
    inputs = macro_inputs(client.get("/login").text)
    assert_real_attributes(inputs)
    assert "required" in inputs["login"] and "required" in inputs["password"]
    assert inputs["password"]["autocomplete"] == "current-password"


def test_a_field_in_error_is_marked_invalid_and_described_by_its_message(
    client: FormClient,
) -> None:
    response = client.submit(
        "/signup", {"login": "x", "password": "short", "display_name": "张三"}, page="/signup"
    )
    assert response.status_code == 422
    inputs = macro_inputs(response.text)
    assert_real_attributes(inputs)
    assert inputs["login"]["aria-invalid"] == "true"
    assert inputs["login"]["aria-describedby"] == "f-login-error"
    assert inputs["display_name"]["value"] == "张三"
    assert "aria-invalid" not in inputs["display_name"]


SIGNED_IN_PAGES: list[tuple[str, str]] = [
    ("nobody", "/account/password"),
    ("nobody", "/verify"),
    ("nobody", "/consultations/topics/new"),
    ("nobody", "/organizations/new"),
    ("admin", "/admin/areas"),
    ("admin", "/admin/ballots"),
    ("admin", "/admin/verify"),
    ("admin", "/admin/congresses"),
    ("admin", "/admin/consultations"),
    ("admin", "/admin/plan"),
    ("admin", "/admin/livelihood"),
    ("admin", "/admin/budgets"),
    ("admin", "/admin/volunteers"),
    ("admin", "/admin/volunteers/stars"),
]


@pytest.mark.parametrize(("login", "page"), SIGNED_IN_PAGES)
def test_every_form_page_renders_the_macro_attributes_apart(
    client: Any, world: dict[str, Any], login: str, page: str
) -> None:
    client.sign_in(login, PASSWORD)
    response = client.get(page)
    assert response.status_code == 200, page
    inputs = macro_inputs(response.text)
    assert inputs, f"{page} renders no macro field"
    assert_real_attributes(inputs)
    assert any("required" in attributes for attributes in inputs.values()), page
