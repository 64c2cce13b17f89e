"""fixtures/samples: an input and an output (XML and JSON) for every implemented API, each validated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sterling_mock.client.wire import from_json, from_xml
from sterling_mock.fixtures.validate import INPUT_SCHEMAS, OUTPUT_SCHEMAS, errors_document, validate
from sterling_mock.mock_server.apis import APIS

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples"
#: executeFlow runs a configured service: its documents are whatever the service says.
NO_SAMPLE = {"executeFlow"}
SAMPLED = sorted(name for name in APIS if name not in NO_SAMPLE)


def load(name: str) -> tuple[str, dict[str, object], dict[str, object]]:
    """(XML root, XML document, JSON document) of one sample."""
    root, from_xml_doc = from_xml((SAMPLES / f"{name}.xml").read_bytes())
    return root, from_xml_doc, from_json((SAMPLES / f"{name}.json").read_bytes())


@pytest.mark.parametrize("api", SAMPLED)
def test_every_api_has_samples_in_both_formats(api: str) -> None:
    root, xml_doc, json_doc = load(f"{api}.input")
    assert root == APIS[api].input_root
    assert xml_doc == json_doc
    if APIS[api].void:
        assert not (SAMPLES / f"{api}.output.xml").exists()  # 204 over REST, no document
        return
    root, xml_doc, json_doc = load(f"{api}.output")
    assert root == APIS[api].output_root
    assert xml_doc == json_doc


@pytest.mark.parametrize("api", sorted(OUTPUT_SCHEMAS))
def test_output_samples_match_their_schema(api: str) -> None:
    schema, root = OUTPUT_SCHEMAS[api]
    validate((SAMPLES / f"{api}.output.xml").read_bytes(), schema)
    validate((SAMPLES / f"{api}.output.json").read_bytes(), schema, root=root)


@pytest.mark.parametrize("api", sorted(INPUT_SCHEMAS))
def test_input_samples_match_their_schema(api: str) -> None:
    schema, root = INPUT_SCHEMAS[api]
    validate((SAMPLES / f"{api}.input.xml").read_bytes(), schema)
    validate((SAMPLES / f"{api}.input.json").read_bytes(), schema, root=root)


def test_error_samples_match_the_errors_schema() -> None:
    validate((SAMPLES / "error.xml").read_bytes(), "errors")
    envelope = json.loads((SAMPLES / "error.json").read_text())
    assert envelope["errors"][0]["httpcode"] == 400
    validate(errors_document(envelope), "errors")


def test_every_output_schema_names_a_served_api() -> None:
    assert set(OUTPUT_SCHEMAS) <= set(APIS)
    assert {api for api in SAMPLED if not APIS[api].void} == set(OUTPUT_SCHEMAS)
