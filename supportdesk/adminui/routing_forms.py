"""The routing parts of the group and agent edit pages: how a group's tickets find an
agent, and an agent's capacity and skills. The rules live in
`automation.routing_settings`; these forms check the shape."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import forms
from django.forms.boundfield import BoundWidget

from supportdesk.adminui.forms import EditAgentForm, FieldsChoice, GroupForm, split_list
from supportdesk.automation.models import AgentProfile, GroupRouting, Strategy
from supportdesk.automation.routing_settings import MAX_CAPACITY
from supportdesk.tickets.models import CustomField

STRATEGY_NOTES = {
    Strategy.MANUAL: "Agents take tickets from the group's queue themselves.",
    Strategy.ROUND_ROBIN: "Each available agent in turn.",
    Strategy.LEAST_LOADED: "The available agent with the fewest open tickets for their capacity.",
    Strategy.SKILLS: "The least loaded of the available agents with every skill the ticket needs.",
}
GROUP_ROUTING_FIELDS = ("strategy", "skill_fields", "return_when_offline")


class GroupRoutingForm(forms.Form):
    strategy = forms.ChoiceField(
        label="Who gets a new ticket",
        choices=Strategy.choices,
        widget=forms.RadioSelect,
        # A client that sends no strategy keeps the current one (see `routing_values`).
        required=False,
        help_text="Routing only gives tickets to agents who are online, on shift by the "
        "group's calendar and under their capacity; the others wait in the queue.",
    )
    skill_fields = FieldsChoice(
        queryset=CustomField.objects.order_by("position", "label"),
        to_field_name="key",
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Fields whose value is a needed skill",
        help_text="For skill-based routing: a ticket whose Product is Billing needs the "
        "skill product:billing. Its tags and the requester's language are needed too when "
        "an agent of the group has them as skills.",
    )
    return_when_offline = forms.BooleanField(
        label="When an agent goes offline, return their untouched tickets to the queue",
        required=False,
        help_text="Tickets they have not replied to or noted on go to the next agent.",
    )

    def strategy_choices(self) -> Iterator[tuple[BoundWidget, str]]:
        """Each strategy's radio button with its one-line explanation."""
        for choice in self["strategy"]:
            yield choice, STRATEGY_NOTES[Strategy(choice.data["value"])]

    def routing_values(self, current: GroupRouting) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "strategy": data["strategy"] or current.strategy,
            "skill_fields": [f.key for f in data["skill_fields"]],
            "return_when_offline": data["return_when_offline"],
        }


def group_routing_initial(routing: GroupRouting) -> dict[str, Any]:
    return {
        "strategy": routing.strategy,
        "skill_fields": list(routing.skill_fields),
        "return_when_offline": routing.return_when_offline,
    }


class GroupEditForm(GroupForm, GroupRoutingForm):
    """The group page: name, lead, members, then routing."""

    def group_values(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k not in GROUP_ROUTING_FIELDS}


class AgentRoutingForm(forms.Form):
    capacity = forms.IntegerField(
        min_value=0,
        max_value=MAX_CAPACITY,
        required=False,
        help_text="The most open tickets (new, open, on hold) routing gives them. Empty: "
        "no limit; 0: none.",
    )
    skills = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Separated by commas, e.g. language:de, product:billing, tier:2. "
        "Skill-based groups give them tickets that need only skills they have.",
    )

    def clean_skills(self) -> list[str]:
        return [s.lower() for s in split_list(self.cleaned_data["skills"])]


def agent_routing_initial(profile: AgentProfile) -> dict[str, Any]:
    return {"capacity": profile.capacity, "skills": ", ".join(profile.skills)}


class EditAgentRoutingForm(EditAgentForm, AgentRoutingForm):
    """The agent page: profile, role, groups, then routing."""
