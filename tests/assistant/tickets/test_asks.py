from __future__ import annotations

from assistant.tickets.asks import asks, greeting_name, request_text


def test_greetings_and_sign_offs_are_not_the_request() -> None:
    body = "Hi team,\nOur KV-16 leaks at the port.\nThanks in advance!\nBest regards,\nR. Quinn"
    assert request_text(body) == "Our KV-16 leaks at the port. R. Quinn"


def test_german_and_french_salutations_are_dropped_too() -> None:
    body = "Sehr geehrte Damen und Herren,\nWo ist unsere Lieferung?\nMit freundlichen Grüßen"
    assert request_text(body) == "Wo ist unsere Lieferung?"
    assert request_text("Bonjour,\nOù est la facture ?\nCordialement,") == "Où est la facture ?"


def test_each_question_and_request_is_one_ask_in_order() -> None:
    body = "Hello. The seal failed. What is the part number? Please send two kits. We use oil."
    assert asks(body) == ["What is the part number?", "Please send two kits."]


def test_a_message_that_asks_nothing_explicitly_has_no_asks() -> None:
    assert asks("The delivery was short by two trays.") == []


def test_asks_are_capped() -> None:
    assert len(asks("A? B? C? D? E?", limit=3)) == 3


def test_the_greeting_names_the_person_the_customer_field_names() -> None:
    assert greeting_name("Fylde Forklift Hydraulics (R. Quinn)") == "R. Quinn"
    assert greeting_name("Ana Lopez <ana@example.com>") == "Ana Lopez"
    assert greeting_name("") == "customer"
    assert greeting_name("x" * 80) == "customer"
