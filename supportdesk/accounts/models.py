"""People and how they are organised: users with roles, their e-mail addresses,
organizations, agent groups and API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.utils import timezone


class Role(models.TextChoices):
    ADMIN = "admin"
    AGENT = "agent"
    LIGHT_AGENT = "light_agent"
    CUSTOMER = "customer"


STAFF_ROLES = (Role.ADMIN, Role.AGENT, Role.LIGHT_AGENT)


class Availability(models.TextChoices):
    ONLINE = "online", "Online"
    AWAY = "away", "Away"
    OFFLINE = "offline", "Offline"


class Organization(models.Model):
    """A customer company. Requesters whose address is on one of its domains join it."""

    name = models.CharField(max_length=200, unique=True)
    shared_tickets = models.BooleanField(
        default=False, help_text="Members see each other's tickets."
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name


class OrganizationDomain(models.Model):
    """One row per domain so that matching a requester's domain is an indexed look-up."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="domain_rows"
    )
    domain = models.CharField(max_length=253, unique=True)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save()
        UserEmail.objects.get_or_create(email=user.email, defaults={"user": user})
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("role", Role.ADMIN)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Everyone who signs in or writes in: admins, agents, light agents and customers.

    `email` is the primary address and the login; `UserEmail` holds every address (the
    primary one included) so that mail from any of them finds the same person.
    """

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.CUSTOMER)
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )
    phone = models.CharField(max_length=50, blank=True)
    language = models.CharField(max_length=10, blank=True)
    time_zone = models.CharField(max_length=64, blank=True)
    segment = models.CharField(max_length=50, blank=True, help_text="e.g. vip, enterprise")
    notes = models.TextField(blank=True)
    signature = models.TextField(blank=True)
    availability = models.CharField(
        max_length=10, choices=Availability.choices, default=Availability.OFFLINE
    )
    # A real column where AbstractBaseUser has a constant: deactivated people cannot log in.
    is_active = models.BooleanField(default=True)  # type: ignore[assignment,misc]
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]

    class Meta:
        indexes = [models.Index(fields=["role", "name"])]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def is_staff(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_agent(self) -> bool:
        """Admins, agents and light agents: everyone who works tickets."""
        return self.role in STAFF_ROLES

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


class UserEmail(models.Model):
    """One of a person's e-mail addresses."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="emails")
    email = models.EmailField(unique=True)


class Group(models.Model):
    """A group of agents that tickets are routed to, with an optional lead."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    lead = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    members = models.ManyToManyField(User, related_name="agent_groups", blank=True)

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token. Only its SHA-256 is stored; the token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
