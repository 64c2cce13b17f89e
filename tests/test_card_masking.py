"""Card numbers in outputs: ``DisplayCreditCardNo`` holds the last four digits and ``CreditCardNo`` comes back
masked, as real instances answer, unless the setting ``mask_card_numbers`` is off."""

from __future__ import annotations

from flask.testing import FlaskClient

from sterling_mock.mock_server.base.settings import Settings
from sterling_mock.mock_server.doors.app import create_app
from tests.conftest import Api

CARD = "4111111111111111"
ORDER = {
    "EnterpriseCode": "Matrix-R",
    "OrderLines": {"OrderLine": [{"OrderedQty": "1", "Item": {"ItemID": "SHOE-101"}}]},
    "PaymentMethods": {
        "PaymentMethod": [{"PaymentType": "CREDIT_CARD", "CreditCardType": "VISA", "CreditCardNo": CARD}]
    },
}
TEMPLATE = {
    "Order": {
        "OrderNo": "",
        "PaymentMethods": {"PaymentMethod": {"CreditCardNo": "", "DisplayCreditCardNo": ""}},
    }
}


def payment(order: dict) -> dict:  # type: ignore[type-arg]
    methods = order["PaymentMethods"]["PaymentMethod"]
    return dict(methods[0] if isinstance(methods, list) else methods)


def test_card_number_is_masked_and_its_last_four_displayed(api: Api, fmt: str) -> None:
    key = api("createOrder", ORDER, fmt)["OrderHeaderKey"]
    shown = payment(api("getOrderDetails", {"OrderHeaderKey": key}, fmt))
    assert shown["DisplayCreditCardNo"] == "1111"
    assert shown["CreditCardNo"] == "************1111"


def test_templates_and_lists_never_see_the_clear_number(api: Api, client: FlaskClient) -> None:
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    client.put("/_fake/templates/cards", json=TEMPLATE["Order"])  # the JSON mapping drops the root
    templated = api("getOrderDetails", {"OrderHeaderKey": key}, query="?_templateId=cards")
    assert payment(templated) == {"CreditCardNo": "************1111", "DisplayCreditCardNo": "1111"}
    client.put("/_fake/templates/cards-list", json={"Order": [TEMPLATE["Order"]]})
    listed = api("getOrderList", {"OrderHeaderKey": key}, query="?_templateId=cards-list")
    assert payment(listed["Order"][0])["CreditCardNo"] == "************1111"
    assert CARD not in str(listed) and CARD not in str(templated)


def test_the_setting_off_answers_the_number_as_stored() -> None:
    api = Api(create_app(Settings(db=":memory:", demo_orders=0, mask_card_numbers=False)).test_client())
    key = api("createOrder", ORDER)["OrderHeaderKey"]
    shown = payment(api("getOrderDetails", {"OrderHeaderKey": key}))
    assert shown["CreditCardNo"] == CARD and shown["DisplayCreditCardNo"] == "1111"


def test_the_setting_reads_from_the_environment() -> None:
    assert Settings.from_env({"STERLING_MOCK_MASK_CARD_NUMBERS": "0"}).mask_card_numbers is False
    assert Settings.from_env({}).mask_card_numbers is True


def test_the_journal_keeps_only_the_last_four_digits(api: Api, client: FlaskClient) -> None:
    api("createOrder", ORDER)
    entries = client.get("/_fake/journal?api=createOrder").get_json()["entries"]
    journaled = payment(entries[-1]["input"])
    assert journaled["CreditCardNo"] == "************1111"
    assert CARD not in str(entries)
