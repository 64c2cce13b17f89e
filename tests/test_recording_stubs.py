"""Replay: a recording served by the fake for the APIs it does not model, hand-written stubs, and how they
meet the fake's own machinery (namespaces, reset, faults, journal, overrides)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from sterling_mock.client.wire import from_xml
from sterling_mock.mock_server.apis import APIS
from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.calls.stubs import load_file, stubbed_apis
from sterling_mock.mock_server.doors.app import create_app
from sterling_mock.mock_server.recording.cli import prepare_stubs
from sterling_mock.mock_server.recording.format import Session
from sterling_mock.mock_server.recording.stubs import coverage_section, stubs_from_session
from tests.recording_support import Recorded, real_instance, record_session

AUTH = ("admin", "password")
NS = {"X-Sterling-Mock-Namespace": "replay"}


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Recorded]:
    with real_instance() as url:
        yield record_session(tmp_path_factory.mktemp("rec") / "checkout", url)


@pytest.fixture
def client() -> FlaskClient:
    return create_app(Settings(db=":memory:", demo_orders=0)).test_client()


def invoke(client: FlaskClient, api: str, doc: dict[str, str], **headers: str) -> tuple[int, bytes]:
    answer = client.post(f"/smcfs/restapi/invoke/{api}", json=doc, auth=AUTH, headers={**NS, **headers})
    return answer.status_code, answer.data


def load(client: FlaskClient, data: dict[str, object]) -> dict[str, object]:
    answer = client.put("/_fake/stubs", json=data, headers=NS)
    assert answer.status_code == 200, answer.data
    return dict(answer.get_json())


def test_an_unmodelled_api_is_answered_from_the_recording(client: FlaskClient, recorded: Recorded) -> None:
    assert invoke(client, "getLoyaltyDetails", {"CustomerID": "C-1"})[0] == 400  # MOCK0006 before loading
    loaded = load(client, {"recording": str(recorded.path)})
    assert loaded["stubbed"] == ["getLoyaltyDetails", "getLoyaltyTierList"]
    status, body = invoke(client, "getLoyaltyDetails", {"CustomerID": "C-1"})
    assert status == 200 and json.loads(body)["Tier"] == "GOLD"
    status, body = invoke(client, "getLoyaltyDetails", {"CustomerID": "C-1"}, Accept="application/xml")
    assert from_xml(body) == (
        "Loyalty",
        {"CustomerID": "C-1", "Tier": "GOLD", "OrganizationCode": "Matrix-R", "Points": "1200"},
    )
    journal = client.get("/_fake/journal?api=getLoyaltyDetails", headers=NS).get_json()["entries"]
    assert [e["http_status"] for e in journal] == [400, 200, 200]


def test_repeated_calls_replay_in_order_then_the_last_answer(client: FlaskClient, recorded: Recorded) -> None:
    load(client, {"recording": str(recorded.path)})
    seen = [json.loads(invoke(client, "getLoyaltyTierList", {"Program": "REWARDS"})[1]) for _ in range(4)]
    assert [s["LoyaltyTier"][0]["TierName"] for s in seen] == [
        "call 1",
        "call 2",
        "call 3",
        "call 3",
    ]
    assert client.post("/_fake/reset", json={"namespace": "replay"}).status_code == 200
    assert invoke(client, "getLoyaltyTierList", {"Program": "REWARDS"})[0] == 400  # reset cleared the stubs


def test_a_miss_names_the_closest_recording_and_what_differed(
    client: FlaskClient, recorded: Recorded
) -> None:
    load(client, {"recording": str(recorded.path)})
    status, body = invoke(client, "getLoyaltyDetails", {"CustomerID": "C-9"})
    error = json.loads(body)["errors"][0]
    assert status == 400 and error["ErrorCode"] == "MOCK0800"
    assert error["MoreInfo"]["Closest"] == "checkout#10 (CustomerID: recorded 'C-1', sent 'C-9')"
    assert error["MoreInfo"]["ApiName"] == "getLoyaltyDetails"


def test_stubs_are_per_namespace(client: FlaskClient, recorded: Recorded) -> None:
    load(client, {"recording": str(recorded.path)})
    other = client.post(
        "/smcfs/restapi/invoke/getLoyaltyDetails",
        json={"CustomerID": "C-1"},
        auth=AUTH,
        headers={"X-Sterling-Mock-Namespace": "x"},
    )
    assert json.loads(other.data)["errors"][0]["ErrorCode"] == "MOCK0006"


def test_modelled_apis_keep_the_fakes_state(client: FlaskClient, recorded: Recorded) -> None:
    load(client, {"recording": str(recorded.path)})
    created = json.loads(invoke(client, "createOrder", {"EnterpriseCode": "Matrix-R"})[1])
    assert created["OrderNo"] == "Y100000001"  # the fake's, not the recorded Y100000004


def test_hand_written_stubs_times_errors_templates_and_faults(client: FlaskClient) -> None:
    stubs = [
        {
            "api": "getLoyaltyTierList",
            "match": {"Program": "X"},
            "times": 1,
            "error": {"code": "YCP0001", "description": "Busy"},
        },
        {
            "api": "getLoyaltyTierList",
            "match": {"Program": "X"},
            "answer": '<LoyaltyTierList><LoyaltyTier TierCode="A" TierName="Alpha"/></LoyaltyTierList>',
        },
        {"api": "extnRegisterVisit", "status": 204},
    ]
    assert load(client, {"stubs": stubs})["stubbed"] == ["extnRegisterVisit", "getLoyaltyTierList"]
    status, body = invoke(client, "getLoyaltyTierList", {"Program": "X"})
    assert status == 400 and json.loads(body)["errors"][0]["ErrorCode"] == "YCP0001"
    status, body = invoke(client, "getLoyaltyTierList", {"Program": "X"})
    assert json.loads(body) == {"LoyaltyTier": [{"TierName": "Alpha", "TierCode": "A"}]}
    assert invoke(client, "extnRegisterVisit", {"UserId": "admin"})[0] == 204
    client.put("/_fake/templates/tiers", data='<LoyaltyTierList><LoyaltyTier TierCode=""/></LoyaltyTierList>')
    answer = client.post(
        "/smcfs/restapi/invoke/getLoyaltyTierList?_templateId=tiers",
        json={"Program": "X"},
        auth=AUTH,
        headers=NS,
    )
    assert json.loads(answer.data) == {"LoyaltyTier": [{"TierCode": "A"}]}
    fault = {"api": "getLoyaltyTierList", "times": 1, "action": {"type": "http", "status": 503}}
    assert client.post("/_fake/faults", json=fault, headers=NS).status_code == 201
    assert invoke(client, "getLoyaltyTierList", {"Program": "X"})[0] == 503
    listed = client.get("/_fake/stubs", headers=NS).get_json()
    assert [s["used"] for s in listed["stubs"]] == [1, 2, 1]
    assert client.delete("/_fake/stubs", headers=NS).status_code == 204
    assert invoke(client, "getLoyaltyTierList", {"Program": "X"})[0] == 400


def test_an_override_stub_answers_a_modelled_api_only_where_it_matches(client: FlaskClient) -> None:
    stub = {
        "api": "getOrderDetails",
        "override": True,
        "match": {"OrderNo": "LEGACY-1"},
        "answer": '<Order OrderNo="LEGACY-1" Status="Shipped"/>',
    }
    assert load(client, {"stubs": [stub]})["overridden"] == ["getOrderDetails"]
    doc = {"OrderNo": "LEGACY-1", "EnterpriseCode": "Matrix-R", "DocumentType": "0001"}
    assert json.loads(invoke(client, "getOrderDetails", doc)[1]) == {
        "OrderNo": "LEGACY-1",
        "Status": "Shipped",
    }
    created = json.loads(invoke(client, "createOrder", {"EnterpriseCode": "Matrix-R"})[1])
    status, body = invoke(client, "getOrderDetails", {"OrderHeaderKey": created["OrderHeaderKey"]})
    assert status == 200 and json.loads(body)["OrderNo"] == created["OrderNo"]


def multi(client: FlaskClient, *apis: tuple[str, dict[str, object]], **headers: str) -> tuple[int, bytes]:
    doc = {"API": [{"Name": name, "Input": {"Input": given}} for name, given in apis]}
    return invoke(client, "multiApi", doc, **headers)


def test_stubs_answer_inside_multi_api_as_they_do_alone(client: FlaskClient) -> None:
    stubs = [
        {
            "api": "getLoyaltyTierList",
            "match": {"Program": "X"},
            "answer": '<LoyaltyTierList><LoyaltyTier TierCode="A"/></LoyaltyTierList>',
        },
        {"api": "extnRegisterVisit", "status": 204},
        {
            "api": "getOrderDetails",
            "override": True,
            "match": {"OrderNo": "LEGACY-1"},
            "answer": '<Order OrderNo="LEGACY-1" Status="Shipped"/>',
        },
    ]
    status, body = multi(client, ("getLoyaltyTierList", {"Program": "X"}))
    assert status == 400 and json.loads(body)["errors"][0]["ErrorCode"] == "MOCK0006"  # before loading
    load(client, {"stubs": stubs})
    legacy = {"OrderNo": "LEGACY-1", "EnterpriseCode": "Matrix-R", "DocumentType": "0001"}
    status, body = multi(
        client,
        ("getLoyaltyTierList", {"Program": "X"}),
        ("extnRegisterVisit", {"UserId": "admin"}),
        ("getOrderDetails", legacy),
    )
    assert status == 200, body
    answers = json.loads(body)["API"]
    assert answers[0] == {
        "Name": "getLoyaltyTierList",
        "Output": {"LoyaltyTierList": {"LoyaltyTier": [{"TierCode": "A"}]}},
    }
    assert answers[1] == {"Name": "extnRegisterVisit", "Output": {}}
    assert answers[2]["Output"] == {"Order": {"OrderNo": "LEGACY-1", "Status": "Shipped"}}
    status, body = multi(client, ("getLoyaltyTierList", {"Program": "X"}), Accept="application/xml")
    assert status == 200 and b'<LoyaltyTier TierCode="A"/>' in body
    listed = client.get("/_fake/stubs", headers=NS).get_json()
    assert [s["used"] for s in listed["stubs"]] == [2, 1, 1]
    status, body = multi(client, ("getLoyaltyTierList", {"Program": "Y"}))  # no stub matches: MOCK0800
    error = json.loads(body)["errors"][0]
    assert status == 400 and error["ErrorCode"] == "MOCK0800"


def test_a_stub_error_inside_multi_api_rolls_the_whole_call_back(client: FlaskClient) -> None:
    stubs = [
        {"api": "getLoyaltyTierList", "error": {"code": "YCP0001", "description": "Busy"}},
        {"api": "extnNote", "text": "plain words"},
    ]
    load(client, {"stubs": stubs})
    order = {"EnterpriseCode": "Matrix-R", "OrderNo": "MULTI-STUB-1"}
    status, body = multi(client, ("createOrder", order), ("getLoyaltyTierList", {}))
    error = json.loads(body)["errors"][0]
    assert (status, error["ErrorCode"]) == (400, "YCP0001")
    found = json.loads(invoke(client, "getOrderList", {"OrderNo": "MULTI-STUB-1"})[1])
    assert found["TotalOrderList"] == "0"  # the createOrder before the failing stub was rolled back
    status, body = multi(client, ("extnNote", {}))
    assert status == 400 and json.loads(body)["errors"][0]["ErrorCode"] == "MOCK0801"


def test_get_page_over_an_overridden_api_answers_as_that_api(client: FlaskClient) -> None:
    """getPage runs the API it pages through the same table: an override stub for getOrderDetails is consulted
    there as on a direct call, and the modelled API answers when no stub matches."""
    created = json.loads(
        invoke(client, "createOrder", {"EnterpriseCode": "Matrix-R", "OrderNo": "REAL-1"})[1]
    )
    stub = {
        "api": "getOrderDetails",
        "override": True,
        "match": {"OrderNo": "LEGACY-1"},
        "answer": "<Order/>",
    }
    load(client, {"stubs": [stub]})
    doc = {
        "PageNumber": "1",
        "PageSize": "1",
        "PaginationStrategy": "GENERIC",
        "API": {"Name": "getOrderDetails", "Input": {"Order": {"OrderHeaderKey": created["OrderHeaderKey"]}}},
    }
    status, body = invoke(client, "getPage", doc)
    assert status == 200, body
    assert json.loads(body)["Output"]["Order"]["OrderNo"] == "REAL-1"  # no stub matches: the modelled API


def test_bad_stubs_are_refused_naming_the_field(client: FlaskClient) -> None:
    answer = client.put("/_fake/stubs", json={"stubs": [{"api": "x", "times": -1}]})
    assert answer.status_code == 400 and "stubs[0].times" in answer.get_json()["error"]["message"]
    answer = client.put("/_fake/stubs", json={"recording": "/nowhere/at/all"})
    assert answer.status_code == 400


def test_serve_stubs_answers_in_every_namespace(recorded: Recorded, tmp_path: Path) -> None:
    client = create_app(Settings(db=":memory:", demo_orders=0, stubs=str(recorded.path))).test_client()
    for ns in ("a", "b"):
        answer = client.post(
            "/smcfs/restapi/invoke/getLoyaltyTierList",
            json={"Program": "REWARDS"},
            auth=AUTH,
            headers={"X-Sterling-Mock-Namespace": ns},
        )
        assert json.loads(answer.data)["LoyaltyTier"][0]["TierName"] == "call 1"


def test_the_matching_attributes_are_editable_per_api(recorded: Recorded, tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "edited"
    shutil.copytree(recorded.path, copy)
    defaults = json.loads((copy / "matching.json").read_text())
    assert defaults["getLoyaltyDetails"] == ["CustomerID"]
    assert defaults["getOrderDetails"] == ["DocumentType", "EnterpriseCode", "OrderHeaderKey", "OrderNo"]
    (copy / "matching.json").write_text(json.dumps({**defaults, "getLoyaltyDetails": []}))
    stub = next(s for s in stubs_from_session(Session.open(copy)) if s["api"] == "getLoyaltyDetails")
    assert list(stub["match"]) == ["#hash"]
    served = load_file(prepare_stubs(str(copy)))  # what serve --stubs reads: rebuilt with the edit
    assert next(s for s in served if s["api"] == "getLoyaltyDetails")["match"] == stub["match"]


def test_coverage_lists_stubbed_apis_apart_from_modelled_ones(recorded: Recorded) -> None:
    stubs = stubs_from_session(Session.open(recorded.path))
    listed = stubbed_apis(stubs, frozenset(APIS))
    assert listed == {"stubbed": ["getLoyaltyDetails", "getLoyaltyTierList"], "overridden": []}
    section = coverage_section(str(recorded.path), frozenset(APIS))
    assert "| getLoyaltyDetails | 1 | CustomerID |" in section
    assert "| getLoyaltyTierList | 3 | hash of the input |" in section
    assert "createOrder" not in section  # modelled: listed with the fake's own APIs, not here


def test_the_interop_servlet_answers_stubs_too(client: FlaskClient, recorded: Recorded) -> None:
    load(client, {"recording": str(recorded.path)})
    params = {
        "InteropApiName": "getLoyaltyDetails",
        "InteropApiData": '<Loyalty CustomerID="C-1"/>',
        "YFSEnvironment.userId": "admin",
        "YFSEnvironment.password": "password",
    }
    answer = client.post("/smcfs/interop/InteropHttpServlet", query_string=params, headers=NS)
    assert answer.status_code == 200 and answer.headers["InteropSentData"] == "true"
    assert from_xml(answer.data)[1]["Tier"] == "GOLD"
