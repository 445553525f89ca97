"""Admins managing the people of their account: adding staff, changing role and team."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from batondesk.actions.accounts import (
    check_password_strength,
    check_person_name,
    do_add_member,
    do_create_user,
)
from batondesk.errors import Conflict, InvalidInput
from batondesk.privacy.keys import keys_of
from batondesk.store.access import get_team
from batondesk.store.models import Account, Membership, Role, User

NAME_MAX = 200


def do_add_staff(
    session: Session,
    account: Account,
    *,
    email: str,
    name: str,
    role: Role,
    password: str,
    team_id: int | None = None,
) -> Membership:
    """Make the person with this email a member of `account`, creating their login.

    Logins are shared by every account a person works for. When the email already has a login
    (made by another account), that login joins this account as it is: its password and name
    stay its own, since an admin here must not be able to change them. The answer is the same
    as for a new person, with the same checks and the same hashing work, so adding a member
    never reveals whether an email is in use elsewhere."""
    name = check_person_name(name)
    if not name or len(name) > NAME_MAX:
        raise InvalidInput(f"name must have 1-{NAME_MAX} characters", code="invalid_name")
    if "@" not in email.strip(" @"):
        raise InvalidInput("email must be an email address", code="invalid_email")
    check_password_strength(password)
    team = get_team(session, account.id, team_id) if team_id is not None else None
    existing = session.scalars(select(User).where(User.email == email.strip().lower())).first()
    if existing is None:
        user = do_create_user(session, email, name, password)
    else:
        member = session.scalars(
            select(Membership).where(
                Membership.account_id == account.id, Membership.user_id == existing.id
            )
        ).first()
        if member is not None:  # this account's own members are no secret to its admin
            raise Conflict("this person is already a member of this account", code="already_member")
        keys_of(session).passwords.hash(
            password
        )  # the work a new login costs, so timing tells nothing either
        user = existing
    return do_add_member(session, account, user, role, team)


def do_update_member(
    session: Session,
    membership: Membership,
    *,
    role: Role | None = None,
    team_id: int | None = None,
    clear_team: bool = False,
) -> Membership:
    """Change a member's role and team. An account always keeps at least one admin, so it can
    never lock itself out of its own settings."""
    if role is not None and role != membership.role and membership.role == Role.admin:
        admins = session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(Membership.account_id == membership.account_id, Membership.role == Role.admin)
        )
        if (admins or 0) <= 1:
            raise Conflict("the account's last admin cannot lose the admin role", code="last_admin")
    if role is not None:
        membership.role = role
    if clear_team:
        membership.team_id = None
    elif team_id is not None:
        membership.team_id = get_team(session, membership.account_id, team_id).id
    session.flush()
    return membership


def member_user(session: Session, membership: Membership) -> User:
    user = session.get(User, membership.user_id)
    assert user is not None
    return user
