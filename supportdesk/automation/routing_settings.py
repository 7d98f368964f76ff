"""The only writers of routing settings: a group's strategy and an agent's capacity and
skills. Admins only; values are checked here so that routing trusts what it reads."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction

from supportdesk.accounts.models import Group, User
from supportdesk.accounts.services import require_admin
from supportdesk.automation.models import AgentProfile, GroupRouting, Strategy
from supportdesk.lib.errors import DomainError
from supportdesk.tickets.models import CustomField

MAX_SKILLS = 50
MAX_SKILL_LENGTH = 100
MAX_SKILL_FIELDS = 20
MAX_CAPACITY = 1000
SKILL = re.compile(r"^[a-z0-9_.-]+(:[a-z0-9_.-]+)?$")


def routing_of(group: Group) -> GroupRouting:
    """The group's settings, or unsaved defaults (manual) when it has none."""
    return GroupRouting.objects.filter(group=group).first() or GroupRouting(group=group)


def profile_for(user: User) -> AgentProfile:
    """The agent's routing profile, or unsaved defaults (no limit, no skills)."""
    return AgentProfile.objects.filter(user=user).first() or AgentProfile(user=user)


@transaction.atomic
def save_group_routing(
    group: Group,
    *,
    by: User | None,
    strategy: str,
    skill_fields: list[str],
    return_when_offline: bool,
) -> GroupRouting:
    """Set how the group's tickets find an agent. A group left at the defaults keeps no
    row. Raises DomainError naming the field at fault."""
    require_admin(by)
    if strategy not in Strategy.values:
        raise DomainError(f"strategy: one of {', '.join(Strategy.values)}")
    fields = _clean_skill_fields(skill_fields)
    if not isinstance(return_when_offline, bool):
        raise DomainError("return_when_offline: true or false")
    routing = GroupRouting.objects.select_for_update().filter(group=group).first()
    if routing is None:
        routing = GroupRouting(group=group)
        if strategy == Strategy.MANUAL and not fields and not return_when_offline:
            return routing
    routing.strategy = strategy
    routing.skill_fields = fields
    routing.return_when_offline = return_when_offline
    routing.save()
    return routing


def _clean_skill_fields(keys: Any) -> list[str]:
    if not isinstance(keys, list | tuple) or not all(isinstance(k, str) for k in keys):
        raise DomainError("skill_fields: a list of custom field keys")
    clean = list(dict.fromkeys(k.strip() for k in keys if k.strip()))
    if len(clean) > MAX_SKILL_FIELDS:
        raise DomainError(f"skill_fields: at most {MAX_SKILL_FIELDS} fields")
    known = set(CustomField.objects.filter(key__in=clean).values_list("key", flat=True))
    unknown = [k for k in clean if k not in known]
    if unknown:
        raise DomainError(f"skill_fields: no custom field with the key {unknown[0]!r}")
    return clean


@transaction.atomic
def save_agent_profile(
    user: User, *, by: User | None, capacity: int | None, skills: list[str]
) -> AgentProfile:
    """Set how many open tickets routing gives the agent (None: no limit, 0: none) and
    their skills. An agent left at the defaults keeps no row. Raises DomainError naming
    the field at fault."""
    require_admin(by)
    if not user.is_agent:
        raise DomainError(f"{user.email} is not on the team: only agents have routing settings")
    if capacity is not None and (
        isinstance(capacity, bool)
        or not isinstance(capacity, int)
        or not 0 <= capacity <= MAX_CAPACITY
    ):
        raise DomainError(f"capacity: a number of tickets from 0 to {MAX_CAPACITY}, or none")
    clean = clean_skills(skills)
    profile = AgentProfile.objects.select_for_update().filter(user=user).first()
    if profile is None:
        profile = AgentProfile(user=user)
        if capacity is None and not clean:
            return profile
    profile.capacity = capacity
    profile.skills = clean
    profile.save()
    return profile


def clean_skills(skills: Any) -> list[str]:
    """Lower-case, de-duplicated skills such as "language:de" or "vip", in the order
    given; raises DomainError naming the first that is not one."""
    if not isinstance(skills, list | tuple) or not all(isinstance(s, str) for s in skills):
        raise DomainError("skills: a list of words such as language:de or product:billing")
    clean = list(dict.fromkeys(s.strip().lower() for s in skills if s.strip()))
    if len(clean) > MAX_SKILLS:
        raise DomainError(f"skills: at most {MAX_SKILLS}")
    for skill in clean:
        if len(skill) > MAX_SKILL_LENGTH or not SKILL.match(skill):
            raise DomainError(
                f"skills: {skill!r} is not a skill; use letters, digits and - _ . with at "
                "most one colon, e.g. language:de or tier:2"
            )
    return clean
