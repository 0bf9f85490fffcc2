"""Generated customer-service messages with the true spans of their personal data.

Faker supplies the values in several English locales; the templates are ours,
written as customers and agents write (greetings, sign-offs, addresses on
their own lines or inline, numbers among order ids, dates and prices). Every
message records exactly where each value sits, so leaks and over-masking can be
measured character by character. Fixed seed: the same data every run.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from faker import Faker

LOCALES = ("en_US", "en_GB", "en_AU", "en_CA", "en_NZ", "en_IE")

# slot -> entity type it carries (slots not listed are ordinary text).
SLOT_ENTITIES = {
    "name": "PERSON",
    "first": "PERSON",
    "other_name": "PERSON",
    "email": "EMAIL_ADDRESS",
    "phone": "PHONE_NUMBER",
    "card": "CREDIT_CARD",
    "iban": "IBAN_CODE",
    "ssn": "US_SSN",
    "ip": "IP_ADDRESS",
    "address": "STREET_ADDRESS",
    "address_inline": "STREET_ADDRESS",
}

PII_TEMPLATES = (
    "Hi,\n\nMy name is {name} and my order {order} still hasn't arrived. Can you check?\n\nThanks,\n{name}",
    "Hello, this is {name}. I need to change the delivery address on order {order} to:\n{address}\n\nCheers",
    "Hi there, please send the replacement to {address_inline}. You can reach me on {phone}.",
    "Dear support,\nI was charged twice ({amount}) on my card {card}. "
    "Please refund one of them.\nKind regards,\n{name}",
    "Can you update my email to {email}? The old one was {email2}. Thanks, {first}",
    "I spoke to {other_name} on {weekday} and she said the refund would take {days} days. "
    "It has been {days2}.",
    "My account is under {name}, phone {phone}, email {email}.",
    "Hey {agent}, thanks for the quick reply! My IBAN is {iban} for the refund.",
    "For verification: SSN {ssn}, date of birth {date}. Please don't share it.",
    "I keep getting logged out. My IP address is {ip} if that helps. Browser is {browser}.",
    "Hi {agent},\n\n{first} here again. The courier left the parcel at {address_inline} "
    "instead of my flat. Please call {phone}.",
    "Please cancel subscription {order}. Contact: {email} / {phone}.\n\nBest,\n{name}",
    "Good morning! Could {other_name} from your billing team call me back at {phone}? "
    "It's about invoice {invoice}.",
    "The card ending in {last4} expired, the new one is {card}. Name on card: {name}.",
    "Ship to:\n{name}\n{address}\n\nPhone: {phone}",
    "I ordered {product} for my husband {other_name} but it arrived damaged.",
    "My neighbour {other_name} signed for it at {address_inline}, but I never got it.",
    "Can you send the invoice to {email}? Company address is {address_inline}. Thank you.",
    "Refund to IBAN {iban} please, account holder {name}.",
    "SSN: {ssn}\nName: {name}\nPhone: {phone}",
    "Login attempts from {ip} and {ip2} were not me! Please lock the account for {email}.",
    "Thanks so much, {agent}! Tell {other_name} I said hi.\n\nRegards,\n{first}",
    "I moved last month. New address: {address_inline}. Old one: {address_inline2}.",
    "Hello, I'm {name}. I paid with {card} on {date} but no confirmation came to {email}.",
    "Call me on {phone} after 5pm, or text {phone2}.",
)

ORDINARY_TEMPLATES = (
    "Hi team, my order {order} was due on {date} but tracking {tracking} hasn't moved since {weekday}.",
    "The {product} costs {amount} on your site but {amount2} in the app. Which price is right?",
    "I have {days} items in my basket and the discount code SAVE{percent} doesn't work.",
    "Is the {product} compatible with version {version}? The manual says {version2}.",
    "Your store in {city} closes at {time} on weekends, right?",
    "Please escalate ticket {ticket}. It has been open for {days} days.",
    "Thanks for the help, I will try again tomorrow.",
    "The package weighs {weight} kg and the box is {dims} cm.",
    "I was charged {amount} instead of {amount2} for order {order}.",
    "Can I return the {product} after {days} days? The receipt number is {invoice}.",
    "My flight is at {time} on {date} and I need the adapter before then.",
    "Do you ship to {country}? The checkout only shows {country2}.",
    "Error code {error} appears when I press Pay. I'm on {browser}.",
    "The {product} battery lasts {days} hours instead of {days2}. Is that normal?",
    "I'd like to upgrade to the Premium plan for {amount} a month.",
)

# Written after the recognizers were tuned on the sets above and never tuned
# on since: the honest estimate of how the cues generalise.
HELDOUT_PII_TEMPLATES = (
    "yo, need help asap. acct name {name}, best number {phone}",
    "Following up on my chat with {other_name} yesterday - the refund still isn't showing.",
    "Please note my billing address has changed to\n{address}",
    "{name}\n{address}\n{email}\n\nRe: order {order}",
    "My wife {other_name} placed the order using my card ({card}), can you move it to her account {email}?",
    "Hello! I'm writing on behalf of my father, {name}, who can't use email. His number is {phone}.",
    "Bank transfer details: {name}, {iban}. Reference {invoice}.",
    "We have flagged a login from {ip} on your account. If this wasn't you, reply to {email}.",
    "Delivery for {first} at {address_inline}, leave with reception please",
    "Taxpayer ID (SSN) {ssn} - needed for the 1099 form.",
    "Cheers {first}, that sorted it. {other_name} says thanks too!",
    "To whom it may concern, I, {name}, request deletion of all my data. Email on file: {email}.",
)

HELDOUT_ORDINARY_TEMPLATES = (
    "Order {order} shows delivered but the box was empty. Photo attached.",
    "Is there a student discount on the {product}? I saw {percent}% off last year.",
    "The app crashes with error {error} after the {version} update.",
    "Can I pick up from the {city} store on {weekday} at {time}?",
    "Three of the {days} bulbs in the pack arrived broken.",
)

# A second held-out set, written before the name lexicon and the NER changes
# of the second tuning round and never looked at while tuning them; the first
# held-out set's failures were studied in that round, so this one is the
# honest estimate now. Its ordinary messages carry words that are also first
# names or places (May, Will, Jordan, Victoria), to price over-masking.
HELDOUT2_PII_TEMPLATES = (
    "hey its {first} again, did u get my last email?? its {email}",
    "I need to add {other_name} as an authorised user on my account. My phone is {phone}.",
    "Order {order}: the parcel was signed for by someone called {other_name} but nobody here has that name.",
    "Morning all - {name} from accounts payable. Can we get a copy of invoice {invoice}?",
    "Please remove {name} ({email}) from your mailing list, she passed away last year.",
    "The technician, {other_name}, never turned up. I waited at {address_inline} all day.",
    "{first} and I share the account; please send statements to both of us at {address_inline}.",
    "Refund the {amount} to card {card}, the holder is my son {other_name}.",
    "Update my details:\nName - {name}\nMobile - {phone}\nEmail - {email}",
    "Who is {other_name}? Someone with that name phoned me from {phone} claiming to be you.",
    "Can {first} pick up my order {order}? I'll be away. Her number is {phone}.",
    "Our IT contact {name} says the requests come from {ip}. Please whitelist it.",
    "Transfer {amount} to {iban} (beneficiary: {name}).",
    "Best wishes from the whole team, and thanks again {first}!",
)

HELDOUT2_ORDINARY_TEMPLATES = (
    "Will the {product} be back in stock in May?",
    "I bought the Jordan trainers in size {days} but they pinch. Can I swap them?",
    "Is the Victoria store on {weekday} open late? I want to collect {order}.",
    "Grace period on my subscription ends {date}, can I extend it?",
    "Mark this ticket {ticket} as resolved please, all good now.",
    "The Chase card I linked gets declined with error {error}.",
    "Does the Austin warehouse ship to {country}?",
    "Can I pay the bill for {order} in two parts, {amount} now and the rest in June?",
)

# A third held-out set, written before the second set's failures were looked
# at (the fixes that followed were made on the second set), never tuned on.
HELDOUT3_PII_TEMPLATES = (
    "Sorry for the delay - {first} is off sick, so I'm handling your case now. Any questions, ring {phone}.",
    "From: {name} <{email}>\nSubject: wrong size\n\nHello, the jacket is too small.",
    "please let {other_name} know the courier is booked for {weekday}",
    "Gift message: Happy birthday {first}! Love from all of us. Deliver to {address_inline}.",
    "Your engineer {other_name} will arrive between 8 and 12. Reply STOP to {phone} to opt out.",
    "I think {other_name} used my card {card} without asking.",
    "{first}, {other_name} and I all got the same phishing email from {email}.",
    "Attn: {name}, Accounts Dept, {address_inline}",
    "I've attached the form signed by {name}. Direct line {phone}.",
    "Not {first} again! Third time she has rerouted my delivery.",
    "can u ask {other_name} to call me back pls, on {phone}",
    "Payment of {amount} from {iban} failed; account name {name}.",
)

HELDOUT3_ORDINARY_TEMPLATES = (
    "The Frank Lloyd Wright book arrived with a torn cover.",
    "Does the Grace Hopper edition come in hardback?",
    "My parcel went to the Lincoln depot instead of {city}.",
    "Do you still sell the Jackson guitar strings?",
    "Order {order} - I'd like to swap it for the Florence vase in blue.",
    "Sorry, wrong chat! Please ignore my last message.",
)

# A fourth held-out set, written before the third set's failures were looked
# at (fixes followed on the third set), never tuned on.
HELDOUT4_PII_TEMPLATES = (
    "Hiya, {first} here - I moved to {address_inline} last week, can you update my account? Ta",
    "Customer {name} (tel. {phone}) reports the app charges card {card} twice.",
    "We spoke on the phone earlier, my reference is {invoice}. Best to reach me at {phone} or {email}.",
    "OK so {other_name} at your {city} branch told me to email {email} instead?",
    "Re: complaint from {name}\n\nShe says the {product} overheated. Contact number {phone}.",
    "I'm {first}'s mum, she's 15 and used my card {card}. Please refund.",
    "SSN {ssn} / DOB {date} / {name}",
    "The login from {ip} at {time} was my colleague {other_name}, not a hacker.",
    "Send the cheque to {name}, {address_inline}.",
    "Kind regards,\n\n{name}\nCustomer Success | {phone}",
    "{other_name} told me the IBAN is {iban} but the bank says it's invalid.",
    "Our office manager is {name}; her mobile is {phone}, office line {phone2}.",
)

HELDOUT4_ORDINARY_TEMPLATES = (
    "Order {order} arrived on {date}, thanks! Five stars.",
    "Is the {product} waterproof? The listing at {amount} doesn't say.",
    "I can't find the Returns page on the app, version {version}.",
    "Why does shipping to {country} cost {amount}?",
    "The box said Made in {country} but the manual is in German only.",
    "Ticket {ticket}: still waiting after {days} days, ref {invoice}.",
)

PRODUCTS = (
    "Acme Pro 3000",
    "Nimbus X2 headphones",
    "TrailRunner GTX shoes",
    "HomeHub Mini",
    'Zenith 55" TV',
    "AquaPure filter",
    "ThermoMax kettle",
    "PixelBook 14",
)
BROWSERS = ("Chrome 126 on Windows 11", "Safari on iPhone 15", "Firefox 128", "Edge on Windows 10")
AGENTS = ("Support Team", "there", "team", "all", "support", "everyone")
CITIES = ("Manchester", "Toronto", "Sydney", "Chicago", "Auckland", "Dublin", "Leeds")
COUNTRIES = ("Canada", "Australia", "New Zealand", "Ireland", "the UK", "Germany")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class Sample:
    locale: str
    text: str
    spans: list[tuple[str, int, int]] = field(default_factory=list)  # (entity, start, end)


def _values(fake: Faker, rng: random.Random) -> dict[str, str]:
    address = fake.address()
    address2 = fake.address()
    card_type = rng.choice(("visa16", "mastercard", "amex", "discover", "visa13", "jcb16"))
    card = fake.credit_card_number(card_type=card_type)
    if rng.random() < 0.5:  # as people type them: in groups
        groups = (4, 6, 5) if len(card) == 15 else (4, 4, 4, 4, 3)
        parts, at = [], 0
        for size in groups:
            if at < len(card):
                parts.append(card[at : at + size])
                at += size
        card = rng.choice((" ", "-")).join(parts)
    iban = fake.iban()
    if rng.random() < 0.5:
        iban = " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))
    us = Faker("en_US")
    us.seed_instance(rng.random())
    return {
        "name": fake.name(),
        "first": fake.first_name(),
        "other_name": fake.name() if rng.random() < 0.5 else fake.first_name(),
        "agent": rng.choice(AGENTS),
        "email": fake.email(),
        "email2": fake.free_email(),
        "phone": fake.phone_number(),
        "phone2": fake.phone_number(),
        "card": card,
        "last4": str(rng.randint(1000, 9999)),
        "iban": iban,
        "ssn": us.ssn(),
        "ip": fake.ipv4_public() if rng.random() < 0.8 else fake.ipv6(),
        "ip2": fake.ipv4_public(),
        "address": address,
        "address_inline": address.replace("\n", ", "),
        "address_inline2": address2.replace("\n", ", "),
        "order": rng.choice(("#", "", "A-")) + str(rng.randint(10000, 99999999)),
        "invoice": f"INV-{rng.randint(2019, 2025)}-{rng.randint(100, 99999)}",
        "ticket": f"{rng.randint(100000, 999999)}",
        "tracking": "1Z" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16)),
        "amount": f"${rng.randint(5, 2500)}.{rng.randint(0, 99):02d}",
        "amount2": f"£{rng.randint(5, 2500)}.{rng.randint(0, 99):02d}",
        "percent": str(rng.choice((10, 15, 20, 25))),
        "date": fake.date(pattern=rng.choice(("%d/%m/%Y", "%Y-%m-%d", "%B %d, %Y"))),
        "weekday": rng.choice(WEEKDAYS),
        "days": str(rng.randint(2, 30)),
        "days2": str(rng.randint(2, 30)),
        "product": rng.choice(PRODUCTS),
        "browser": rng.choice(BROWSERS),
        "version": f"{rng.randint(1, 12)}.{rng.randint(0, 9)}.{rng.randint(0, 20)}",
        "version2": f"{rng.randint(1, 12)}.{rng.randint(0, 9)}",
        "city": rng.choice(CITIES),
        "country": rng.choice(COUNTRIES),
        "country2": rng.choice(COUNTRIES),
        "time": f"{rng.randint(1, 12)}:{rng.choice(('00', '15', '30', '45'))}{rng.choice(('am', 'pm', ''))}",
        "weight": f"{rng.randint(1, 40)}.{rng.randint(0, 9)}",
        "dims": f"{rng.randint(10, 90)}x{rng.randint(10, 90)}x{rng.randint(10, 90)}",
        "error": f"E{rng.randint(100, 999)}-{rng.randint(10, 99)}",
    }


def _fill(template: str, values: dict[str, str], locale: str) -> Sample:
    sample = Sample(locale=locale, text="")
    parts: list[str] = []
    length = 0
    for literal, field_name, _spec, _conv in string.Formatter().parse(template):
        parts.append(literal)
        length += len(literal)
        if field_name is None:
            continue
        value = values[field_name]
        base = field_name.rstrip("2")
        entity = SLOT_ENTITIES.get(field_name) or SLOT_ENTITIES.get(base)
        if entity:
            sample.spans.append((entity, length, length + len(value)))
        parts.append(value)
        length += len(value)
    sample.text = "".join(parts)
    return sample


SPLITS = {
    "dev": (PII_TEMPLATES, ORDINARY_TEMPLATES),
    "heldout": (HELDOUT_PII_TEMPLATES, HELDOUT_ORDINARY_TEMPLATES),
    "heldout2": (HELDOUT2_PII_TEMPLATES, HELDOUT2_ORDINARY_TEMPLATES),
    "heldout3": (HELDOUT3_PII_TEMPLATES, HELDOUT3_ORDINARY_TEMPLATES),
    "heldout4": (HELDOUT4_PII_TEMPLATES, HELDOUT4_ORDINARY_TEMPLATES),
}


def generate(
    count: int,
    seed: int = 20240611,
    ordinary_share: float = 0.3,
    *,
    heldout: bool = False,
    split: str | None = None,
) -> list[Sample]:
    """`split` is one of SPLITS; `heldout=True` is the first held-out set."""
    pii_pool, ordinary_pool = SPLITS[split or ("heldout" if heldout else "dev")]
    rng = random.Random(seed)
    fakers = {}
    for locale in LOCALES:
        fake = Faker(locale)
        fake.seed_instance(rng.randint(0, 2**31))
        fakers[locale] = fake
    samples = []
    for _ in range(count):
        locale = rng.choice(LOCALES)
        values = _values(fakers[locale], rng)
        ordinary = rng.random() < ordinary_share
        pool = ordinary_pool if ordinary else pii_pool
        samples.append(_fill(rng.choice(pool), values, locale))
    return samples
