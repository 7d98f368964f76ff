"""Notification kinds of rules, so each agent chooses how they hear of them."""

from supportdesk.notify.kinds import Kind, register

NEW_IN_GROUP = register(
    Kind("new_in_group", "New ticket in your group", "A new ticket reaches one of your groups.")
)
RULE = register(Kind("rule", "Rule notification", "A trigger or time rule tells you something."))
