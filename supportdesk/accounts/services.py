"""The only writers of people, organizations, groups and tokens."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from zoneinfo import available_timezones

from django.contrib.auth.hashers import identify_hasher
from django.db import IntegrityError, transaction
from django.utils import timezone

from supportdesk.accounts.models import (
    STAFF_ROLES,
    ApiToken,
    Availability,
    Group,
    Organization,
    OrganizationDomain,
    Role,
    User,
    UserEmail,
)
from supportdesk.accounts.signals import availability_changed
from supportdesk.lib.errors import DomainError, PermissionDenied

PROFILE_FIELDS = (
    "name",
    "phone",
    "language",
    "time_zone",
    "segment",
    "notes",
    "signature",
    "availability",
)


def normalize_email(email: str) -> str:
    email = (email or "").strip().lower()
    if "@" not in email or email.startswith("@") or email.endswith("@") or " " in email:
        raise DomainError(f"{email!r} is not an e-mail address")
    return email


def find_user_by_email(email: str) -> User | None:
    found = list(User.objects.raw(_USER_BY_EMAIL, [email.strip().lower()]))
    return found[0] if found else None


# Written out: building this join took the ORM twice as long as running it, and mail
# ingestion asks it for every message.
_USER_BY_EMAIL = (
    "SELECT u.* FROM accounts_user u JOIN accounts_useremail e ON e.user_id = u.id "
    "WHERE e.email = %s LIMIT 1"
)


def organization_for_domain(email: str) -> Organization | None:
    domain = email.rsplit("@", 1)[-1].lower()
    row = OrganizationDomain.objects.select_related("organization").filter(domain=domain).first()
    return row.organization if row else None


def require_admin(by: User | None) -> None:
    if by is not None and not by.is_admin:
        raise PermissionDenied("only admins may do this")


@transaction.atomic
def create_user(
    *,
    email: str,
    by: User | None,
    name: str = "",
    role: str = Role.CUSTOMER,
    password: str | None = None,
    organization: Organization | None = None,
    **profile: str,
) -> User:
    """Create a person. `by=None` means the system (sign-up, intake, demo data)."""
    if role != Role.CUSTOMER:
        require_admin(by)
    elif by is not None and not by.is_agent:
        raise PermissionDenied("customers cannot create people")
    if role not in Role.values:
        raise DomainError(f"unknown role {role!r}")
    email = normalize_email(email)
    if UserEmail.objects.filter(email=email).exists():
        raise DomainError(f"{email} is already in use")
    if organization is None and role == Role.CUSTOMER:
        organization = organization_for_domain(email)
    unknown = set(profile) - set(PROFILE_FIELDS)
    if unknown:
        raise DomainError(f"unknown profile fields: {', '.join(sorted(unknown))}")
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email, password, name=name, role=role, organization=organization, **profile
            )
    except IntegrityError as exc:
        # Someone took the address a moment ago; any other conflict is a real fault.
        if UserEmail.objects.filter(email=email).exists():
            raise DomainError(f"{email} is already in use") from exc
        raise


def find_or_create_requester(email: str, *, name: str = "") -> User:
    """The person behind an address, created as a customer the first time they write."""
    email = normalize_email(email)
    user = find_user_by_email(email)
    if user is not None:
        return user
    try:
        return create_user(email=email, by=None, name=name)
    except DomainError:
        # Another request created the same person a moment ago.
        user = find_user_by_email(email)
        if user is None:
            raise
        return user


@transaction.atomic
def update_user(
    user: User,
    *,
    by: User,
    role: str | None = None,
    organization: Organization | None | object = ...,
    is_active: bool | None = None,
    email: str | None = None,
    **profile: str,
) -> User:
    if by.pk != user.pk:
        if user.is_agent or role is not None:
            require_admin(by)
        elif not by.is_agent:
            raise PermissionDenied("you may only change your own profile")
    elif role is not None and role != user.role:
        require_admin(by)
    fields: list[str] = []
    was_available = user.availability
    for key, value in profile.items():
        if key not in PROFILE_FIELDS:
            raise DomainError(f"unknown profile field {key!r}")
        setattr(user, key, _check_profile_value(key, value))
        fields.append(key)
    if role is not None:
        if role not in Role.values:
            raise DomainError(f"unknown role {role!r}")
        if user.role == Role.ADMIN and role != Role.ADMIN and _last_admin(user):
            raise DomainError("the last admin cannot lose the admin role")
        user.role = role
        fields.append("role")
    if organization is not ...:
        user.organization = organization  # type: ignore[assignment]
        fields.append("organization")
    if is_active is not None:
        require_admin(by)
        if not is_active and user.role == Role.ADMIN and _last_admin(user):
            raise DomainError("the last admin cannot be deactivated")
        user.is_active = is_active
        fields.append("is_active")
    if email is not None and normalize_email(email) != user.email:
        add_email(user, email=email, by=by)
        user.email = normalize_email(email)
        fields.append("email")
    if fields:
        user.save(update_fields=fields)
    if user.availability != was_available:
        _announce_availability(user, was_available)
    return user


def _announce_availability(user: User, old: str) -> None:
    new = user.availability
    transaction.on_commit(
        lambda: availability_changed.send(sender=User, user=user, old=old, new=new), robust=True
    )


def _check_profile_value(key: str, value: str) -> str:
    if key == "availability" and value not in Availability.values:
        raise DomainError(f"availability: one of {', '.join(Availability.values)}")
    if key == "time_zone" and value and value not in available_timezones():
        raise DomainError(f"time_zone: {value!r} is not a time zone, e.g. Europe/Berlin")
    return value


def _last_admin(user: User) -> bool:
    return not User.objects.filter(role=Role.ADMIN, is_active=True).exclude(pk=user.pk).exists()


def add_email(user: User, *, email: str, by: User | None) -> UserEmail:
    if by is not None and by.pk != user.pk and not by.is_agent:
        raise PermissionDenied("you may only change your own addresses")
    email = normalize_email(email)
    existing = UserEmail.objects.filter(email=email).first()
    if existing is not None:
        if existing.user_id == user.pk:
            return existing
        raise DomainError(f"{email} belongs to someone else")
    return UserEmail.objects.create(user=user, email=email)


def set_password(user: User, *, password: str) -> None:
    user.set_password(password)
    user.save(update_fields=["password"])


def set_password_hash(user: User, *, encoded: str) -> None:
    """Store a password already hashed by `make_password`: a portal sign-up keeps the
    hash, never the password, until the person confirms their address."""
    try:
        identify_hasher(encoded)
    except ValueError as exc:
        raise DomainError("password: not a password hash") from exc
    user.password = encoded
    user.save(update_fields=["password"])


@transaction.atomic
def merge_customers(source: User, target: User, *, by: User) -> User:
    """Fold `source` into `target`: addresses and tickets move, the source is deactivated."""
    if not by.is_agent or by.role == Role.LIGHT_AGENT:
        raise PermissionDenied("only agents may merge customers")
    if source.pk == target.pk:
        raise DomainError("cannot merge a customer into themself")
    if source.role != Role.CUSTOMER or target.role != Role.CUSTOMER:
        raise DomainError("only customers can be merged")
    from supportdesk.tickets.services import reassign_requester

    UserEmail.objects.filter(user=source).update(user=target)
    reassign_requester(source, target, by=by)
    for key in ("phone", "language", "time_zone", "segment"):
        if not getattr(target, key) and getattr(source, key):
            setattr(target, key, getattr(source, key))
    if source.notes:
        target.notes = (target.notes + "\n" + source.notes).strip()
    if target.organization_id is None:
        target.organization_id = source.organization_id
    target.save()
    source.is_active = False
    source.merged_into = target
    # The primary address moved to the target; keep the row unique but unusable.
    source.email = f"merged-{source.pk}-{secrets.token_hex(4)}@invalid"
    source.save(update_fields=["is_active", "merged_into", "email"])
    return target


@transaction.atomic
def save_organization(
    *,
    by: User | None,
    organization: Organization | None = None,
    name: str | None = None,
    domains: Iterable[str] | None = None,
    shared_tickets: bool | None = None,
    notes: str | None = None,
) -> Organization:
    if by is not None and (not by.is_agent or by.role == Role.LIGHT_AGENT):
        raise PermissionDenied("only agents may change organizations")
    org = organization or Organization()
    if name is not None:
        name = name.strip()
        if not name:
            raise DomainError("an organization needs a name")
        clash = Organization.objects.filter(name__iexact=name).exclude(pk=org.pk)
        if clash.exists():
            raise DomainError(f"an organization named {name!r} exists")
        org.name = name
    elif org.pk is None:
        raise DomainError("an organization needs a name")
    if shared_tickets is not None:
        org.shared_tickets = shared_tickets
    if notes is not None:
        org.notes = notes
    org.save()
    if domains is not None:
        _set_domains(org, domains)
    return org


def _set_domains(org: Organization, domains: Iterable[str]) -> None:
    clean = sorted({d.strip().lower().lstrip("@") for d in domains if d.strip()})
    for domain in clean:
        if "." not in domain or " " in domain or "@" in domain:
            raise DomainError(f"{domain!r} is not a domain")
    taken = OrganizationDomain.objects.filter(domain__in=clean).exclude(organization=org)
    if taken.exists():
        raise DomainError(f"{taken.first().domain} belongs to another organization")  # type: ignore[union-attr]
    OrganizationDomain.objects.filter(organization=org).exclude(domain__in=clean).delete()
    have = set(org.domain_rows.values_list("domain", flat=True))
    OrganizationDomain.objects.bulk_create(
        [OrganizationDomain(organization=org, domain=d) for d in clean if d not in have]
    )


def delete_organization(org: Organization, *, by: User) -> None:
    require_admin(by)
    org.delete()


@transaction.atomic
def save_group(
    *,
    by: User | None,
    group: Group | None = None,
    name: str | None = None,
    description: str | None = None,
    lead: User | None | object = ...,
    members: Iterable[User] | None = None,
) -> Group:
    require_admin(by)
    group = group or Group()
    if name is not None:
        name = name.strip()
        if not name:
            raise DomainError("a group needs a name")
        if Group.objects.filter(name__iexact=name).exclude(pk=group.pk).exists():
            raise DomainError(f"a group named {name!r} exists")
        group.name = name
    elif group.pk is None:
        raise DomainError("a group needs a name")
    if description is not None:
        group.description = description
    if isinstance(lead, User) or lead is None:
        if lead is not None and not lead.is_agent:
            raise DomainError("a group lead must be an agent")
        group.lead = lead
    group.save()
    if members is not None:
        members = list(members)
        for member in members:
            if member.role not in STAFF_ROLES:
                raise DomainError(f"{member.email} is not an agent")
        group.members.set(members)
    return group


def delete_group(group: Group, *, by: User) -> None:
    require_admin(by)
    group.delete()


def create_token(user: User, *, name: str = "") -> str:
    """A new personal token for `user`; the caller shows it once, we keep its digest."""
    token = "sd_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, name=name, digest=ApiToken.digest_of(token), prefix=token[:8]
    )
    return token


def user_for_token(token: str) -> User | None:
    row = (
        ApiToken.objects.select_related("user__organization")
        .filter(digest=ApiToken.digest_of(token), user__is_active=True)
        .first()
    )
    if row is None:
        return None
    now = timezone.now()
    # Touch at most once a minute: a write per request would serialise API reads on SQLite.
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def revoke_token(token_id: int, *, by: User) -> None:
    qs = ApiToken.objects.filter(pk=token_id)
    if not by.is_admin:
        qs = qs.filter(user=by)
    if not qs.delete()[0]:
        raise DomainError("no such token")
