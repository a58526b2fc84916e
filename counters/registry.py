"""Changes to the registry made outside the admin (`manage.py counter`, `import_history`),
recorded in the admin's history as the admin records its own.

Each change is a LogEntry of the same kind and message the admin writes, so a counter's
**History** page shows a change made by a script beside those made by a person.
"""

from typing import Any

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.management.base import CommandError

from counters.models import Counter

# The user a command's changes are recorded under when no --user is given: it cannot log
# in (inactive, no usable password) and exists only to be named in the history.
SYSTEM_USERNAME = "manage.py"


def acting_user(username: str | None) -> AbstractBaseUser:
    """The user named by --user (who must exist), or the system user, made on first use."""
    User = get_user_model()
    if username:
        try:
            return User.objects.get(**{User.USERNAME_FIELD: username})
        except User.DoesNotExist:
            raise CommandError(f"No user named {username!r}: --user must name an existing user.")
    user, created = User.objects.get_or_create(
        **{User.USERNAME_FIELD: SYSTEM_USERNAME}, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save()
    return user


def _log(user: AbstractBaseUser, counter: Counter, flag: int, message: str | list[Any]) -> None:
    LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[counter],
        action_flag=flag,
        change_message=message,
        single_object=True,
    )


def log_addition(user: AbstractBaseUser, counter: Counter) -> None:
    # The admin's own message for an object added through its form.
    _log(user, counter, ADDITION, [{"added": {}}])


def log_change(user: AbstractBaseUser, counter: Counter, fields: list[str] | str) -> None:
    message = fields if isinstance(fields, str) else [{"changed": {"fields": fields}}]
    _log(user, counter, CHANGE, message)


def log_deletion(user: AbstractBaseUser, counter: Counter) -> None:
    _log(user, counter, DELETION, "")
