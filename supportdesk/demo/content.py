"""People, companies and the small talk around support conversations.

Plain data and string helpers with no Django import, so that the benchmark generator can
use the same texts. Conversations per topic are in `topics.py`.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Oliver", "Sophia", "Elijah", "Isabella",
    "Lucas", "Mia", "Mateo", "Amelia", "Ethan", "Harper", "Aiden", "Evelyn", "Leo",
    "Charlotte", "Henry", "Nora", "Samuel", "Hannah", "David", "Zoe", "Daniel", "Chloe",
    "Gabriel", "Grace", "Julian", "Aria", "Adrian", "Layla", "Caleb", "Ella", "Isaac",
    "Lily", "Joseph", "Maya", "Thomas", "Ingrid", "Lars", "Anja", "Felix", "Clara",
    "Jan", "Marta", "Pierre", "Camille", "Luca", "Giulia", "Diego", "Lucia", "Hiroshi",
    "Yuki", "Arjun", "Ananya", "Kwame", "Amara", "Omar", "Leila", "Mehmet", "Elif",
    "Sven", "Freya", "Tomasz", "Zofia", "Rafael", "Beatriz", "Chen", "Mei", "Nikolai",
    "Irina", "Patrick", "Siobhan", "Kofi", "Fatima", "Ravi", "Priya", "Jonas", "Greta",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
    "Martinez", "Lopez", "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson",
    "Martin", "Lee", "Thompson", "White", "Harris", "Clark", "Lewis", "Walker", "Young",
    "Allen", "King", "Wright", "Scott", "Hill", "Green", "Adams", "Baker", "Nelson",
    "Carter", "Mitchell", "Roberts", "Turner", "Phillips", "Campbell", "Schmidt",
    "Fischer", "Weber", "Meyer", "Wagner", "Dubois", "Moreau", "Rossi", "Russo",
    "Ferrari", "Fernandez", "Gonzalez", "Silva", "Santos", "Kowalski", "Nowak", "Jensen",
    "Hansen", "Nielsen", "Lindqvist", "Tanaka", "Sato", "Kim", "Park", "Nguyen", "Patel",
    "Shah", "Singh", "Okafor", "Mensah", "Haddad", "Yilmaz", "Ivanova", "O'Brien",
    "Murphy", "Kelly", "van Dijk", "de Vries", "Costa", "Novak",
)  # fmt: skip

# (organization name, e-mail domain). Domains use reserved example TLDs where possible.
COMPANIES = (
    ("Northwind Traders", "northwind.example"), ("Contoso Pharmaceuticals", "contoso.example"),
    ("Fabrikam Robotics", "fabrikam.example"), ("Tailspin Toys", "tailspintoys.example"),
    ("Wide World Importers", "wideworldimporters.example"), ("Adventure Works Cycles",
    "adventure-works.example"), ("Litware Analytics", "litware.example"),
    ("Proseware Legal", "proseware.example"), ("Lucerne Publishing", "lucernepublishing.example"),
    ("Margie's Travel", "margiestravel.example"), ("Coho Winery", "cohowinery.example"),
    ("Alpine Ski House", "alpineskihouse.example"), ("Blue Yonder Airlines",
    "blueyonderairlines.example"), ("City Power & Light", "cpandl.example"),
    ("Fourth Coffee", "fourthcoffee.example"), ("Graphic Design Institute",
    "graphicdesigninstitute.example"), ("Humongous Insurance", "humongousinsurance.example"),
    ("Trey Research", "treyresearch.example"), ("Woodgrove Bank", "woodgrovebank.example"),
    ("Southridge Video", "southridgevideo.example"), ("School of Fine Art",
    "fineartschool.example"), ("Relecloud", "relecloud.example"), ("Bellows College",
    "bellowscollege.example"), ("Best For You Organics", "bestforyouorganics.example"),
    ("Consolidated Messenger", "consolidatedmessenger.example"), ("Datum Corporation",
    "adatum.example"), ("Nod Publishers", "nodpublishers.example"), ("Wingtip Toys",
    "wingtiptoys.example"), ("VanArsdel Ltd", "vanarsdel.example"), ("Greenleaf Clinics",
    "greenleaf.example"), ("Harbor Freight Logistics", "harborlogistics.example"),
    ("Kestrel Energy", "kestrelenergy.example"), ("Pinecrest Schools", "pinecrest.example"),
    ("Mosaic Architects", "mosaicarchitects.example"), ("Juniper Dental", "juniperdental.example"),
    ("Quill & Ink Stationery", "quillink.example"), ("Riverbend Hotels", "riverbend.example"),
    ("Sable Security", "sablesecurity.example"), ("Tidewater Foods", "tidewater.example"),
    ("Umber Studios", "umberstudios.example"),
)  # fmt: skip
# Private addresses of people who write in without a company domain.
FREEMAIL = ("example.net", "example.org", "mail.example.net", "post.example.org")

PRODUCTS = ("Web app", "iOS app", "Android app", "Desktop sync", "REST API", "Integrations")
PLANS = ("Free", "Starter", "Team", "Business", "Enterprise")
BROWSERS = ("Chrome 126", "Firefox 127", "Safari 17.5", "Edge 126", "Chrome 125 on a Chromebook")
SYSTEMS = ("Windows 11", "macOS Sonoma", "Ubuntu 24.04", "Windows 10", "macOS Ventura")
DEVICES = ("iPhone 13", "iPhone 15 Pro", "Pixel 8", "Samsung Galaxy S23", "iPad Air", "OnePlus 11")
IDPS = ("Okta", "Microsoft Entra ID", "Google Workspace", "OneLogin", "JumpCloud")
COUNTRIES = (
    ("Germany", "DE"), ("France", "FR"), ("Netherlands", "NL"), ("Spain", "ES"),
    ("Italy", "IT"), ("Ireland", "IE"), ("Austria", "AT"), ("Belgium", "BE"),
    ("Sweden", "SE"), ("Poland", "PL"),
)  # fmt: skip
CITIES = ("Berlin", "Lyon", "Utrecht", "Valencia", "Milan", "Cork", "Graz", "Ghent", "Malmo")
STREETS = ("Hauptstrasse", "Rue de la Paix", "Keizersgracht", "Calle Mayor", "Via Roma")
ENDPOINTS = ("/v2/contacts", "/v2/orders/search", "/v2/sync/changes", "/v2/files", "/v2/events")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

CUSTOMER_GREETINGS = (
    "Hi,",
    "Hello,",
    "Hi there,",
    "Hello support team,",
    "Good morning,",
    "Dear support,",
    "Hey,",
)
CUSTOMER_CLOSINGS = (
    "Thanks,",
    "Thank you,",
    "Best regards,",
    "Kind regards,",
    "Cheers,",
    "Thanks in advance,",
    "Regards,",
)
CUSTOMER_EXTRAS = (
    "This is fairly urgent for us, we have a client review on Friday.",
    "I already tried logging out and back in, and clearing the browser cache.",
    "A colleague of mine sees the same thing on her machine.",
    "We have been happy customers for years, so I hope this can be sorted quickly.",
    "Let me know if you need screenshots.",
    "Please reply to this address, I am travelling this week.",
    "Our finance team is asking me about this every day now.",
    "I could not find anything about this in your help center.",
    "Happy to jump on a call if that is easier.",
    "I am in the {tz} time zone, in case you want to call.",
)
AGENT_SIGNOFFS = ("Best regards,", "Kind regards,", "All the best,", "Thanks,", "Cheers,")
AGENT_EXTRAS = (
    "If anything else comes up, just reply to this message.",
    "I will keep this request open until we hear back from you.",
    "You can also follow the status of this request in the portal.",
    "Thanks for your patience while we looked into this.",
    "Sorry for the trouble this caused.",
)
THANKS = (
    "That worked, thank you so much!",
    "Perfect, that fixed it. Thanks for the quick help.",
    "Great, all sorted on our side. Have a nice day!",
    "Confirmed, it looks fine now. Much appreciated.",
    "Thanks {agent}, that was exactly what I needed.",
)
NUDGES = (
    "Just checking in: did you have a chance to look at my previous message?",
    "Any update on this? We are still blocked.",
    "Sorry to chase, but could someone get back to me on this today?",
)
HOLD_MESSAGES = (
    "I have passed this on to our engineering team with all the details you sent. I am "
    "putting your request on hold while they investigate and will update you as soon as "
    "I hear back.",
    "Thanks for bearing with us. This needs a fix on our side, so I have opened an internal "
    "issue ({jira}). Your request stays on hold until the fix ships; you do not need to do "
    "anything in the meantime.",
)
HOLD_NOTES = (
    "Escalated to engineering as {jira}. Reproduced on staging with the customer's steps.",
    "Waiting for the payment provider to confirm; reference {ref}. Check again on Monday.",
    "Filed {jira} with the logs attached. Engineering says it is on the list for this sprint.",
)
TIME_ZONES = ("CET", "Eastern", "Pacific", "GMT", "IST", "AEST")


@dataclass(frozen=True)
class Person:
    first: str
    last: str

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def email_at(self, domain: str, n: int = 0) -> str:
        local = f"{self.first}.{self.last}".lower().replace("'", "").replace(" ", "")
        return f"{local}{n or ''}@{domain}"


def random_person(rng: random.Random) -> Person:
    return Person(rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))


def ticket_context(rng: random.Random, *, customer: str, agent: str, company: str) -> dict:
    """The values one conversation's templates draw on, fixed for the whole ticket so
    that the question and its answer talk about the same invoice or device."""
    country, country_code = rng.choice(COUNTRIES)
    plan_index = rng.randrange(1, len(PLANS) - 1)
    seats = rng.choice((5, 8, 10, 12, 15, 20, 25, 40, 50))
    amount = rng.choice((19, 29, 49, 79, 99, 149, 199, 249, 490, 990)) * max(1, seats // 5)
    return {
        "name": customer,
        "agent": agent.split(" ")[0],
        "agent_full": agent,
        "company": company or "our company",
        "order": f"SO-{rng.randrange(100000, 999999)}",
        "invoice": f"INV-{rng.randrange(2023, 2026)}-{rng.randrange(1000, 99999):05d}",
        "amount": f"{amount:,}.00",
        "currency": rng.choice(("EUR", "USD", "GBP")),
        "card": f"{rng.randrange(0, 10000):04d}",
        "month": rng.choice(MONTHS),
        "day": rng.randrange(1, 28),
        "product": rng.choice(PRODUCTS),
        "plan": PLANS[plan_index],
        "plan_up": PLANS[plan_index + 1],
        "seats": seats,
        "seats_new": seats + rng.choice((2, 5, 10)),
        "browser": rng.choice(BROWSERS),
        "os": rng.choice(SYSTEMS),
        "device": rng.choice(DEVICES),
        "app_version": f"{rng.randrange(4, 7)}.{rng.randrange(0, 20)}.{rng.randrange(0, 9)}",
        "request_id": f"req_{rng.getrandbits(48):012x}",
        "endpoint": rng.choice(ENDPOINTS),
        "limit": rng.choice((60, 120, 300, 600)),
        "records": rng.choice((1_200, 8_500, 25_000, 140_000)),
        "country": country,
        "vat": f"{country_code}{rng.randrange(100000000, 999999999)}",
        "city": rng.choice(CITIES),
        "street": f"{rng.choice(STREETS)} {rng.randrange(1, 120)}",
        "idp": rng.choice(IDPS),
        "owner": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        "minutes": rng.choice((10, 15, 30, 45, 90)),
        "jira": f"ENG-{rng.randrange(1000, 9999)}",
        "ref": f"pi_{rng.getrandbits(40):010x}",
        "tz": rng.choice(TIME_ZONES),
        "ticket_ref": rng.randrange(1000, 9999),
    }


def customer_message(rng: random.Random, body: str, ctx: dict, *, chat: bool = False) -> str:
    """A customer's message around `body` (a rendered template): greeting, an occasional
    extra sentence, and a sign-off; chat messages stay short."""
    if chat:
        return body
    parts = []
    if rng.random() < 0.85:
        parts.append(rng.choice(CUSTOMER_GREETINGS))
    parts.append(body)
    if rng.random() < 0.3:
        parts.append(rng.choice(CUSTOMER_EXTRAS).format_map(ctx))
    first = ctx["name"].split(" ")[0]
    parts.append(f"{rng.choice(CUSTOMER_CLOSINGS)}\n{first}")
    return "\n\n".join(parts)


def agent_message(rng: random.Random, body: str, ctx: dict, *, team: str) -> str:
    """An agent's public reply: salutation, body, an occasional extra line, signature."""
    first = ctx["name"].split(" ")[0]
    parts = [f"{rng.choice(('Hi', 'Hello', 'Dear'))} {first},", body]
    if rng.random() < 0.35:
        parts.append(rng.choice(AGENT_EXTRAS))
    parts.append(f"{rng.choice(AGENT_SIGNOFFS)}\n{ctx['agent_full']}\n{team} team")
    return "\n\n".join(parts)


def set_plan(ctx: dict, plan: str) -> None:
    """Make the conversation talk about the customer's actual plan."""
    index = PLANS.index(plan)
    ctx["plan"] = plan
    ctx["plan_up"] = PLANS[index + 1] if index + 1 < len(PLANS) else "a custom Enterprise deal"


# Internal notes from the light agent (an account manager who reads along).
ACCOUNT_NOTES = (
    "FYI: {company} is in renewal talks this month. Please keep them happy.",
    "I spoke to their team lead yesterday; they mentioned this issue too.",
    "This customer is evaluating the {plan_up} plan, a good experience here matters.",
)
ESCALATION_NOTES = (
    "Raising priority: the customer says the whole team is blocked.",
    "Bumped to urgent, {company} has an SLA with a 4-hour response time.",
)
FOLLOW_UPS = (
    "Hi again, the problem from my last request is back since this morning. Same symptoms "
    "as before.",
    "Sorry to bring this up again, but we ran into the same issue once more.",
)
