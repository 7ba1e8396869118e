"""Plant users: adding, listing, disabling, resetting, and signing in with argon2 hashes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlmodel import Session

from assistant.persistence import users
from assistant.persistence.db import make_engine
from assistant.persistence.users import (
    ROLES,
    PlantUserPublic,
    add_user,
    get_user,
    list_users,
    reset_password,
    set_disabled,
    verify_login,
)
from tools.common.errors import PlantError

PASSWORD = "torque-wrench-7"


@pytest.fixture
def session(database_url: str) -> Iterator[Session]:
    with Session(make_engine(database_url)) as session:
        yield session


def test_added_users_are_listed_by_name_without_their_password(session: Session) -> None:
    add_user(session, name="  Zoe.Quality ", role="Quality", password=PASSWORD)
    add_user(session, name="anna@plant", role="operator", password=PASSWORD)
    listed = list_users(session)
    assert [(u.name, u.role, u.disabled) for u in listed] == [
        ("anna@plant", "operator", False),
        ("zoe.quality", "quality", False),
    ]
    stored = listed[0]
    assert stored.password_hash.startswith("$argon2id$") and PASSWORD not in stored.password_hash
    assert stored.created_at.tzinfo is not None and stored.failed_logins == 0
    assert "password_hash" not in PlantUserPublic.model_validate(stored).model_dump()


def test_a_name_is_taken_once_whatever_its_case(session: Session) -> None:
    add_user(session, name="anna", role="operator", password=PASSWORD)
    with pytest.raises(PlantError, match="'anna' exists already"):
        add_user(session, name="ANNA", role="admin", password=PASSWORD)
    assert [u.role for u in list_users(session)] == ["operator"]


def test_an_unknown_role_names_the_allowed_ones(session: Session) -> None:
    with pytest.raises(PlantError) as raised:
        add_user(session, name="anna", role="boss", password=PASSWORD)
    assert all(role in str(raised.value) for role in ROLES) and "boss" in str(raised.value)


@pytest.mark.parametrize(
    ("name", "password", "message"),
    [
        ("anna", "", "too short"),
        ("anna", "seven77", "at least 8"),
        ("anna", "x" * 1025, "too long"),
        ("", PASSWORD, "Invalid user name"),
        ("anna smith", PASSWORD, "Invalid user name"),
        ("anna;drop", PASSWORD, "letters, digits"),
        ("a" * 65, PASSWORD, "1 to 64"),
    ],
)
def test_bad_names_and_passwords_are_refused(
    session: Session, name: str, password: str, message: str
) -> None:
    with pytest.raises(PlantError, match=message):
        add_user(session, name=name, role="operator", password=password)
    assert list_users(session) == []


def test_the_longest_name_and_shortest_password_are_accepted(session: Session) -> None:
    user = add_user(session, name="a" * 64, role="trainee", password="8 chars!")
    assert verify_login(session, name="a" * 64, password="8 chars!") == user


def test_sign_in_succeeds_only_with_the_right_password(session: Session) -> None:
    add_user(session, name="anna", role="service", password=PASSWORD)
    assert verify_login(session, name="anna", password=PASSWORD + "x") is None
    assert verify_login(session, name="anna", password="") is None
    user = get_user(session, name="anna")
    assert user.failed_logins == 2 and user.last_failed_at is not None
    signed_in = verify_login(session, name=" Anna ", password=PASSWORD)
    assert signed_in is not None and signed_in.name == "anna" and signed_in.role == "service"
    assert signed_in.failed_logins == 0  # counted again from zero


def test_an_unknown_name_costs_a_hash_check_and_says_nothing(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real_matches = users._matches

    def counting_matches(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return real_matches(password_hash, password)

    monkeypatch.setattr(users, "_matches", counting_matches)
    assert verify_login(session, name="nobody", password=PASSWORD) is None
    assert checked == [users._dummy_hash()]
    # hashed with the costs of a real user's hash, so checking it takes as long
    assert not users._hasher().check_needs_rehash(users._dummy_hash())
    assert list_users(session) == []


def test_a_disabled_user_cannot_sign_in_until_enabled(session: Session) -> None:
    add_user(session, name="anna", role="operator", password=PASSWORD)
    assert set_disabled(session, name="anna", disabled=True).disabled
    assert verify_login(session, name="anna", password=PASSWORD) is None
    assert get_user(session, name="anna").failed_logins == 1
    assert not set_disabled(session, name="anna", disabled=False).disabled
    assert verify_login(session, name="anna", password=PASSWORD) is not None


def test_a_reset_password_replaces_the_old_one(session: Session) -> None:
    add_user(session, name="anna", role="operator", password=PASSWORD)
    verify_login(session, name="anna", password="wrong password")
    user = reset_password(session, name="anna", password="new-password-1")
    assert user.failed_logins == 0 and user.updated_at >= user.created_at
    assert verify_login(session, name="anna", password=PASSWORD) is None
    assert verify_login(session, name="anna", password="new-password-1") is not None
    with pytest.raises(PlantError, match="too short"):
        reset_password(session, name="anna", password="short")


def test_a_hash_made_with_weaker_costs_is_replaced_at_sign_in(session: Session) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    user = add_user(session, name="anna", role="operator", password=PASSWORD)
    user.password_hash = weak.hash(PASSWORD)
    session.add(user)
    session.commit()
    assert users._hasher().check_needs_rehash(user.password_hash)
    signed_in = verify_login(session, name="anna", password=PASSWORD)
    assert signed_in is not None
    assert not users._hasher().check_needs_rehash(signed_in.password_hash)
    assert users._hasher().verify(signed_in.password_hash, PASSWORD)


def test_unknown_users_are_named_in_the_error(session: Session) -> None:
    for change in (
        lambda: get_user(session, name="ghost"),
        lambda: set_disabled(session, name="ghost", disabled=True),
        lambda: reset_password(session, name="ghost", password=PASSWORD),
    ):
        with pytest.raises(PlantError, match="No user 'ghost'"):
            change()
