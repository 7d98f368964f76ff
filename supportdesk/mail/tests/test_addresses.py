"""Reply addresses with a ticket number and a token only we can make."""

from __future__ import annotations

from supportdesk.mail.addresses import base_address, reply_address, ticket_of_address


def test_a_reply_address_names_its_ticket() -> None:
    address = reply_address("support@example.com", 1234)
    assert address.startswith("support+1234-") and address.endswith("@example.com")
    assert ticket_of_address(address) == 1234
    assert ticket_of_address(address.upper()) == 1234


def test_an_edited_number_or_token_names_nothing() -> None:
    address = reply_address("support@example.com", 1234)
    token = address.split("-", 1)[1].split("@")[0]
    assert ticket_of_address(f"support+1235-{token}@example.com") is None
    assert ticket_of_address("support+1234-00000000@example.com") is None
    assert ticket_of_address(address.replace("example.com", "example.org")) is None
    assert ticket_of_address("support@example.com") is None
    assert ticket_of_address("support+sales@example.com") is None


def test_base_address() -> None:
    assert base_address("Support+1234-abcd@Example.com") == "support@example.com"
    assert base_address("support@example.com") == "support@example.com"
