from __future__ import annotations

from assistant.persistence.users import ROLES
from assistant.profiles import PROFILES, profile_named, profiles_for


def test_every_role_has_a_profile_and_only_admins_get_admin() -> None:
    for role in ROLES:
        assert profiles_for(role), role
        assert any(p.can_admin for p in profiles_for(role)) == (role == "admin")
    admin = [p.name for p in profiles_for("admin")]
    assert admin[0] == "Admin" and sorted(admin) == sorted(p.name for p in PROFILES)
    assert profiles_for("visitor") == [] and profiles_for(None) == []


def test_a_profile_outside_the_role_is_never_given() -> None:
    service = profile_named("Admin", "service")  # a forged profile name from the browser
    assert service is not None and service.name == "Customer service"
    assert service.style == "reply" and "customer_service" in service.audience
    starter = profile_named("New starter", "operator")
    assert starter is not None and starter.name == "New starter"
    assert profile_named("Operator", None) is None


def test_each_profile_has_its_own_starters() -> None:
    starters = [tuple(p.starters) for p in PROFILES]
    assert all(starters) and len(set(starters)) == len(PROFILES)
