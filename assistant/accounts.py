"""Signing in to the chat: password and proxy-header checks, slowed after repeated failures.

The chat front end calls these and turns the result into its own user object; nothing here
knows Chainlit. A failed sign-in never says which part was wrong, and every name (known or
not) is slowed the same way after `login_failures_before_delay` failures, so the delay does
not tell which names exist.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from sqlmodel import Session

from assistant.persistence.users import PlantUser, get_user, normalize_name, verify_login
from assistant.profiles import Profile, profiles_for
from assistant.settings import Settings
from assistant.wiring import make_engine
from tools.common.errors import PlantError


@dataclass(frozen=True)
class SignedIn:
    """Who is signed in and what they may use."""

    name: str
    role: str
    profiles: tuple[Profile, ...]

    @property
    def is_admin(self) -> bool:
        return any(p.can_admin for p in self.profiles)


@dataclass
class FailedLogins:
    """Failures per name in this process: the n-th failure past the allowance waits 2^n s."""

    allowed: int = 3
    max_delay_s: float = 8.0
    _failures: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def delay_s(self, name: str) -> float:
        """How long the next try for `name` waits before it is checked."""
        with self._lock:
            over = self._failures.get(normalize_name(name), 0) - self.allowed
        return 0.0 if over < 0 else min(2.0**over, self.max_delay_s)

    def failed(self, name: str) -> None:
        with self._lock:
            key = normalize_name(name)
            self._failures[key] = self._failures.get(key, 0) + 1

    def succeeded(self, name: str) -> None:
        with self._lock:
            self._failures.pop(normalize_name(name), None)


def _signed_in(user: PlantUser) -> SignedIn:
    return SignedIn(user.name, user.role, tuple(profiles_for(user.role)))


def password_login(
    settings: Settings, failures: FailedLogins, name: str, password: str
) -> SignedIn | None:
    """The user when name and password match an enabled user; None otherwise, after the
    delay earned by earlier failures for this name (blocking: call it from a worker thread).
    """
    time.sleep(failures.delay_s(name))
    with Session(make_engine(settings)) as session:
        user = verify_login(session, name=name, password=password)
        signed_in = _signed_in(user) if user is not None else None
    if signed_in is None:
        failures.failed(name)
    else:
        failures.succeeded(name)
    return signed_in


def header_login(settings: Settings, headers: dict[str, str]) -> SignedIn | None:
    """The enabled user a single-sign-on proxy names in `settings.auth_header`, else None."""
    if not settings.auth_header:
        return None
    lowered = {k.lower(): v for k, v in headers.items()}
    name = lowered.get(settings.auth_header.lower(), "").strip()
    if not name:
        return None
    with Session(make_engine(settings)) as session:
        try:
            user = get_user(session, name=name)
        except PlantError:  # a name the plant has not added
            return None
        return None if user.disabled else _signed_in(user)


def current_user(settings: Settings, name: str) -> SignedIn | None:
    """The user as the database has them now: None once disabled or removed, so a session
    opened before an admin disabled someone does not outlive the change."""
    with Session(make_engine(settings)) as session:
        try:
            user = get_user(session, name=name)
        except PlantError:
            return None
        return None if user.disabled else _signed_in(user)
