"""One login path for the API and the login page: throttled per user and address, audited."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import Request
from sqlalchemy.orm import Session

from monitor.core import audit
from monitor.core.access import Actor
from monitor.core.i18n import add_strings
from monitor.core.models import Role, User
from monitor.core.settings import Settings
from monitor.core.throttle import LoginThrottle
from monitor.registry import users

add_strings(
    {
        "login.locked": {
            "vi": "Đăng nhập sai quá nhiều lần. Hãy thử lại sau ít phút.",
            "en": "Too many failed logins. Try again in a few minutes.",
        }
    }
)


@dataclass(frozen=True, slots=True)
class LoginOutcome:
    """A login attempt's result: a user and session token, or why not."""

    user: User | None = None
    token: str = ""
    retry_after: int = 0  # > 0: refused unchecked, the user or address is locked

    @property
    def ok(self) -> bool:
        """True when the credentials were right."""
        return self.user is not None


def login_throttle(settings: Settings) -> LoginThrottle:
    """The throttle an app keeps for its lifetime."""
    return LoginThrottle(
        per_user=settings.login_failures_per_user,
        per_address=settings.login_failures_per_address,
        window_seconds=settings.login_window_seconds,
    )


def attempt_login(
    request: Request, session: Session, settings: Settings, username: str, password: str
) -> LoginOutcome:
    """Check the credentials unless the user or address is locked; audit every lock-out.

    The caller commits the session whatever the outcome (failures stay in the audit log).
    """
    throttle: LoginThrottle = request.app.state.login_throttle
    address = request.client.host if request.client else ""
    wait = throttle.retry_after(username, address)
    if wait:
        return LoginOutcome(retry_after=wait)
    result = users.login(
        session, username, password, hours=settings.session_hours, remote_addr=address
    )
    if result is None:
        actor = Actor(user_id=None, username=username[:80], role=Role.POLICE, remote_addr=address)
        for key in throttle.failed(username, address):
            kind, _, target = key.partition(":")
            audit.record(
                session,
                actor,
                "login_locked",
                "user" if kind == "user" else "address",
                target,
                {"seconds": [None, settings.login_window_seconds]},
            )
        return LoginOutcome()
    throttle.succeeded(username)
    return LoginOutcome(user=result[0], token=result[1])
