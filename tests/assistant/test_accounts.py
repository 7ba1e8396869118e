from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from assistant import accounts
from assistant.persistence.users import add_user, set_disabled
from assistant.settings import Settings
from assistant.wiring import make_engine

PASSWORD = "torque-wrench-7"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(data_dir=tmp_path / "data", auth_header="X-Forwarded-User")
    with Session(make_engine(settings)) as session:
        add_user(session, name="anna", role="service", password=PASSWORD)
        add_user(session, name="bob", role="admin", password=PASSWORD)
    return settings


def test_the_right_password_signs_in_with_the_roles_profiles(settings: Settings) -> None:
    failures = accounts.FailedLogins(allowed=3, max_delay_s=0.0)
    anna = accounts.password_login(settings, failures, "Anna", PASSWORD)
    assert anna is not None and (anna.name, anna.role) == ("anna", "service")
    assert [p.name for p in anna.profiles] == ["Customer service", "New starter"]
    assert not anna.is_admin
    bob = accounts.password_login(settings, failures, "bob", PASSWORD)
    assert bob is not None and bob.is_admin


def test_wrong_password_unknown_name_and_disabled_user_all_fail_alike(settings: Settings) -> None:
    failures = accounts.FailedLogins(allowed=3, max_delay_s=0.0)
    assert accounts.password_login(settings, failures, "anna", "wrong-password") is None
    assert accounts.password_login(settings, failures, "nobody", PASSWORD) is None
    with Session(make_engine(settings)) as session:
        set_disabled(session, name="anna", disabled=True)
    assert accounts.password_login(settings, failures, "anna", PASSWORD) is None
    assert accounts.current_user(settings, "anna") is None  # an open session ends too
    assert accounts.current_user(settings, "bob") is not None


def test_repeated_failures_slow_every_name_the_same_way() -> None:
    failures = accounts.FailedLogins(allowed=2, max_delay_s=4.0)
    for name in ("anna", "nobody"):  # a known and an unknown name
        delays = []
        for _ in range(6):
            delays.append(failures.delay_s(name))
            failures.failed(name)
        assert delays == [0.0, 0.0, 1.0, 2.0, 4.0, 4.0]
    failures.succeeded("ANNA")
    assert failures.delay_s("anna") == 0.0 and failures.delay_s("nobody") == 4.0


def test_a_proxy_header_signs_in_only_an_enabled_known_user(settings: Settings) -> None:
    signed_in = accounts.header_login(settings, {"x-forwarded-user": "bob"})
    assert signed_in is not None and signed_in.role == "admin"
    assert accounts.header_login(settings, {"X-Forwarded-User": "mallory"}) is None
    assert accounts.header_login(settings, {"X-Other": "bob"}) is None
    no_header = settings.model_copy(update={"auth_header": ""})
    assert accounts.header_login(no_header, {"X-Forwarded-User": "bob"}) is None
