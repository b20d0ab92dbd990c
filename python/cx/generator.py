"""Deterministic generator of the raw extracts of the contract.

Writes ``<out>/<system>/<table>.csv`` exactly as ``docs/contract/raw-extracts.md``
describes them, defects included, for any number of customers. The output is a
pure function of ``(customers, seed)``: the same arguments give the same bytes.

The data has CX behaviour worth finding: anonymous visits that are identified
later, marketing that leads to first purchases, repeat buyers who drop out
(a BG/NBD-like process), support tickets whose slow or reopened handling lowers
the next NPS answer and makes the customer more likely to stop buying, loyal
buyers who answer surveys more happily, promoters who post reviews and refer
friends, and verbatims whose themes and tone follow the score.

Rows are written customer by customer, so memory stays flat at any size.
"""

from __future__ import annotations

import csv
import math
import random
import string
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any, TextIO

from cx.contract import EXTRACTS

WINDOW_START = datetime(2024, 1, 1, tzinfo=UTC)
EXTRACT_AT = datetime(2025, 11, 1, tzinfo=UTC)
"""The moment the extracts were taken: nothing happens at or after it."""

AGENTS = 24
ADMINS = 2
FIRST_CUSTOMER_USER_ID = 1001
FIRST_TICKET_ID = 100001

COUNTRIES = {  # country: (weight, currency, language, utc offsets seen there)
    "US": (0.40, "USD", "en", ("-05:00", "-06:00", "-08:00", "-04:00")),
    "CA": (0.08, "USD", "en", ("-05:00", "-08:00")),
    "GB": (0.17, "GBP", "en", ("Z", "+00:00", "+01:00")),
    "DE": (0.15, "EUR", "de", ("+01:00", "+02:00")),
    "FR": (0.12, "EUR", "fr", ("+01:00", "+02:00")),
    "ES": (0.08, "EUR", "es", ("+01:00", "+02:00")),
}
SEGMENTS = (("consumer", 0.70), ("smb", 0.22), ("enterprise", 0.08))
ACQUISITION = (
    ("paid_search", 0.22),
    ("organic_search", 0.20),
    ("social", 0.16),
    ("email", 0.08),
    ("referral", 0.12),
    ("partner", 0.06),
    ("store", 0.08),
    ("direct", 0.08),
)
FIRST_NAMES = (
    "Anna",
    "Ben",
    "Chloe",
    "David",
    "Emma",
    "Felix",
    "Grace",
    "Hugo",
    "Ines",
    "Jonas",
    "Karim",
    "Lena",
    "Marta",
    "Noah",
    "Olivia",
    "Pablo",
    "Quentin",
    "Rosa",
    "Sofia",
    "Tom",
    "Ulrike",
    "Victor",
    "Wen",
    "Yusuf",
    "Zoe",
    "José",
    "Zoë",
    "François",
    "Jürgen",
    "Siân",
)
LAST_NAMES = (
    "Smith",
    "Müller",
    "Martin",
    "García",
    "Johnson",
    "Schmidt",
    "Bernard",
    "López",
    "Brown",
    "Fischer",
    "Dubois",
    "Martínez",
    "Taylor",
    "Weber",
    "Moreau",
    "Sánchez",
    "Wilson",
    "O'Brien",
    "Nguyen",
    "Kowalski",
    "Rossi",
    "Silva",
    "Khan",
    "Lee",
    "Evans",
    "Petit",
    "Ruiz",
    "Wagner",
)
DOMAINS = ("example.com", "mail.example.org", "post.example.net", "inbox.example.co.uk")
ROLE_DOMAINS = ("acme.example", "globex.example")
CAMPAIGNS = ("spring_sale", "summer_launch", "black_friday", "loyalty_program", "webinar_series")
# Where anonymous visitors come from before they sign up: (activity type, channel).
BROWSING = (
    ("ad_click", "paid_search"),
    ("ad_click", "social"),
    ("web_visit", "web"),
    ("app_session", "mobile_app"),
)
AD_LANDING_SHARE = 0.85
"""Share of ad clicks followed by a visit to the website minutes later (its landing page)."""
BROWSING_CHANNEL_LIFT = 0.12
"""Added to the chance of buying for each browsing channel beyond the first."""
ORDER_CHANNELS = (("web", 0.55), ("mobile_app", 0.25), ("store", 0.15), ("phone", 0.05))
TICKET_CHANNELS = (("email", 0.35), ("web", 0.25), ("chat", 0.25), ("phone", 0.12), ("api", 0.03))
PRIORITIES = (("low", 0.2), ("normal", 0.55), ("high", 0.18), ("urgent", 0.07))
TICKET_SUBJECTS = (
    ("Where is my order?", "delivery"),
    ("Parcel arrived damaged, box crushed", "delivery"),
    ("Refund not received", "billing"),
    ("Charged twice for one order", "billing"),
    ("Product stopped working", "product"),
    ('Item "not as described"', "product"),
    ("Cannot log in to my account", "account"),
    ("Change my delivery address, please", "delivery"),
)
SURVEYS = (
    ("SV_REL01NPS", "Quarterly relationship NPS", "relationship_nps", "quarterly"),
    ("SV_TXN02NPS", "Post-purchase NPS", "transactional_nps", "post_purchase"),
    ("SV_CSAT03SUP", "Support satisfaction (CSAT)", "csat", "post_support"),
    ("SV_CES04SUP", "Support effort (CES), how easy was it?", "ces", "post_support"),
    ("SV_CES05BUY", "Checkout effort (CES)", "ces", "post_purchase"),
)
# Planted for mart_stage_experience: answering about a support contact, customers
# feel this much less satisfied than about a purchase (mood, on its 0..1 scale),
# so the service stage scores worse on CES and CSAT than the purchase stage.
SUPPORT_SURVEY_MOOD_PENALTY = 0.2
# Planted for mart_agent_performance and mart_team_performance: the agents support
# operations put in team `orders` (seeds/lookups/agent_teams.csv) first-reply in
# this fraction of the others' time, and their solved tickets are rated good with
# these probabilities (uneventful, went badly) whatever the customer's mood.
SKILLED_AGENTS = frozenset(range(1, 9))
SKILLED_REPLY_SPEED = 0.35
SKILLED_GOOD_RATING = (0.97, 0.6)
ALNUM = string.ascii_letters + string.digits

# Buyers buy the way the CLV models assume, so the fitted parameters have a
# known truth to be compared with (DECISIONLOG.md). BG/NBD: while alive, purchases
# arrive at rate lambda ~ Gamma(shape r, rate alpha) per week; after each repeat
# purchase the customer drops out with probability p ~ Beta(a, b). Gamma-Gamma:
# each order's value ~ Gamma(shape p, rate nu), with nu ~ Gamma(shape q, rate gamma)
# per customer; segments scale it mildly. Refunds and cancellations thin the
# completed orders, so a fit on completed orders sees a somewhat lower rate.
BGNBD_TRUTH = {"r": 1.3, "alpha": 21.0, "a": 1.2, "b": 3.5}
GAMMA_GAMMA_TRUTH = {"p": 6.0, "q": 3.5, "gamma": 33.0}
SEGMENT_SPEND = {"consumer": 1.0, "smb": 1.6, "enterprise": 3.0}

# Experience and value (DECISIONLOG.md, "The generator"). A support ticket that went
# badly (a first reply after 24 hours, a reopen, a bad rating) makes the customer stop
# buying with this probability, besides their BG/NBD dropout: customers whose tickets
# were reopened or rated bad lapse more often. And satisfaction follows loyalty: a
# buyer's satisfaction moves by LOYALTY_SATISFACTION for each standard deviation their
# purchase rate lies above its mean and their dropout probability below its mean, so
# buyers who buy often and keep buying answer surveys more happily, and promoters
# spend more after answering than detractors.
BAD_SUPPORT_DROPOUT = 0.5
LOYALTY_SATISFACTION = 0.1

# Verbatims by theme, tone and language. Some carry commas, quotes, emoji or a
# line break on purpose: the contract's free text is RFC 4180 quoted.
VERBATIMS: dict[tuple[str, str], dict[str, tuple[str, ...]]] = {
    ("delivery", "positive"): {
        "en": ("Delivery was fast, it arrived a day early.", "Quick delivery and well packed 📦"),
        "de": ("Die Lieferung war schnell, einen Tag früher da.",),
        "fr": ("Livraison rapide, colis arrivé en avance.",),
        "es": ("La entrega fue rápida, llegó un día antes.",),
    },
    ("delivery", "negative"): {
        "en": (
            "My parcel arrived late and the box was damaged.",
            'They said "next week", it took a month.\nStill waiting for my parcel.',
        ),
        "de": ("Das Paket kam zu spät und der Karton war beschädigt.",),
        "fr": ("Livraison en retard, le colis était abîmé.",),
        "es": ("El paquete llegó tarde y la caja estaba dañada.",),
    },
    ("price", "positive"): {
        "en": ("Good value for the price.",),
        "de": ("Gutes Preis-Leistungs-Verhältnis.",),
        "fr": ("Bon rapport qualité-prix.",),
        "es": ("Buena relación calidad-precio.",),
    },
    ("price", "negative"): {
        "en": ("Too expensive for what you get, the price went up again.",),
        "de": ("Viel zu teuer, der Preis ist schon wieder gestiegen.",),
        "fr": ("Trop cher, le prix a encore augmenté.",),
        "es": ("Demasiado caro, el precio subió otra vez.",),
    },
    ("wait_time", "positive"): {
        "en": ("Support answered within minutes!",),
        "de": ("Der Support hat innerhalb von Minuten geantwortet!",),
        "fr": ("Le support a répondu en quelques minutes !",),
        "es": ("¡Soporte respondió en pocos minutos!",),
    },
    ("wait_time", "negative"): {
        "en": ("Waited too long on hold, never again.", "Three days without an answer 😡"),
        "de": ("Viel zu lange in der Warteschleife gewartet.",),
        "fr": ("Attente beaucoup trop longue au téléphone.",),
        "es": ("Esperé demasiado tiempo, nadie contestaba.",),
    },
    ("staff", "positive"): {
        "en": ("The agent, Maria, was friendly and really helpful 😊",),
        "de": ("Die Mitarbeiterin war freundlich und sehr hilfsbereit.",),
        "fr": ("Le conseiller était aimable et très serviable.",),
        "es": ("El agente fue amable y muy servicial.",),
    },
    ("staff", "negative"): {
        "en": ("Staff were rude and didn't listen.",),
        "de": ("Die Mitarbeiter waren unhöflich.",),
        "fr": ("Le personnel était impoli.",),
        "es": ("El personal fue grosero.",),
    },
    ("product_quality", "positive"): {
        "en": ("Great quality, works exactly as described.", "Love it, excellent product!"),
        "de": ("Tolle Qualität, funktioniert wie beschrieben.",),
        "fr": ("Excellente qualité, conforme à la description.",),
        "es": ("Excelente calidad, funciona como se describe.",),
    },
    ("product_quality", "negative"): {
        "en": ("Product broke after two weeks, poor quality.",),
        "de": ("Nach zwei Wochen kaputt, schlechte Qualität.",),
        "fr": ("Produit cassé après deux semaines, mauvaise qualité.",),
        "es": ("Se rompió a las dos semanas, mala calidad.",),
    },
}
THEMES = sorted({theme for theme, _ in VERBATIMS})
# A theme's tone does not always follow the score: even satisfied customers
# complain about the wait, and even unhappy ones praise the product. The share
# of each tone's mentions that turn to the other tone, per theme (the effect
# mart_theme_sentiment is for: wait_time has the highest share negative,
# product_quality the lowest).
COUNTER_TONE: dict[tuple[str, str], float] = {
    ("wait_time", "positive"): 0.35,
    ("product_quality", "negative"): 0.35,
}


# Public product reviews (reviews/reviews.csv). They come from a random stream of
# their own, seeded from the run's seed, so the other extracts are the same bytes
# with or without them. The platforms are a closed list (var review_platforms):
# the shop shares the order and, when the reviewer agreed, the email; Trustpilot
# mostly the email, sometimes the order; Google neither (anonymous reviews).
REVIEW_PLATFORMS = (("shop", 0.45), ("trustpilot", 0.35), ("google", 0.20))
REVIEW_SHARES = {  # platform: (share with the reviewer's email, share with the order reference)
    "shop": (0.5, 1.0),
    "trustpilot": (0.7, 0.3),
    "google": (0.0, 0.0),
}
REVIEW_BASE_CHANCE = 0.03
REVIEW_SATISFACTION_CHANCE = 0.12
"""A completed order is reviewed with probability base + this x satisfaction (0..1):
promoters post more; an unhappy buyer's review rates low (rating follows mood)."""
REVIEW_EDITED_SHARE = 0.06
"""Reviews re-exported after an edit: an earlier line, then the edited one (later updated_at)."""
REVIEW_TITLES = {
    "positive": {
        "en": ("Great shop", "Highly recommended"),
        "de": ("Sehr empfehlenswert",),
        "fr": ("Très satisfait",),
        "es": ("Muy recomendable",),
    },
    "negative": {
        "en": ("Disappointed", "Never again"),
        "de": ("Enttäuscht",),
        "fr": ("Déçu",),
        "es": ("Decepcionado",),
    },
}


def _weighted(rng: random.Random, options: tuple[tuple[Any, float], ...]) -> Any:
    return rng.choices([o for o, _ in options], weights=[w for _, w in options])[0]


def _ts(moment: datetime, offset: str) -> str:
    """ISO-8601 with an explicit UTC offset, the moment shown in that offset."""
    if offset == "Z":
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    sign = 1 if offset[0] == "+" else -1
    hours, minutes = int(offset[1:3]), int(offset[4:6])
    local = moment.astimezone(timezone(sign * timedelta(hours=hours, minutes=minutes)))
    return local.strftime("%Y-%m-%dT%H:%M:%S") + offset


def _comment_text(rng: random.Random, tone: str, language: str) -> str:
    """One or two themes' sentences in ``language``, mostly in ``tone`` (COUNTER_TONE)."""
    themes = rng.sample(THEMES, 2 if rng.random() < 0.2 else 1)
    parts = []
    for theme in themes:
        theme_tone = tone
        if rng.random() < COUNTER_TONE.get((theme, tone), 0.0):
            theme_tone = "negative" if tone == "positive" else "positive"
        parts.append(rng.choice(VERBATIMS[(theme, theme_tone)][language]))
    return " ".join(parts)


@dataclass
class _Counters:
    order: int = 0
    activity: int = 0
    user: int = FIRST_CUSTOMER_USER_ID
    ticket: int = FIRST_TICKET_ID
    event: int = 0
    orphan: int = 0
    review: int = 0
    rating_defect: int = 0  # each kind of a defect in turn, so a small sample holds all
    timestamp_defect: int = 0


@dataclass
class _Customer:
    index: int
    contact_id: str
    first_name: str
    last_name: str
    email: str | None
    phone: str | None
    country: str
    segment: str
    offsets: tuple[str, ...]
    language: str
    created_at: datetime
    engagement: float
    satisfaction: float
    support_user_id: int | None = None
    bad_support_at: list[datetime] = field(default_factory=list)
    last_touch_at: datetime | None = None
    browsing_channels: int = 0  # distinct channels the visitor came through before signing up


class _Writer:
    """The contract's CSV writers, opened together and closed together."""

    def __init__(self, out_dir: Path, stack: ExitStack) -> None:
        self._writers: dict[str, Any] = {}
        self._columns = {extract.table: extract.columns for extract in EXTRACTS}
        for extract in EXTRACTS:
            path = out_dir / extract.relpath
            path.parent.mkdir(parents=True, exist_ok=True)
            handle: TextIO = stack.enter_context(path.open("w", encoding="utf-8", newline=""))
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(extract.columns)
            self._writers[extract.table] = writer

    def write(self, table: str, row: tuple[Any, ...]) -> None:
        self._writers[table].writerow(["" if v is None else v for v in row])

    def write_named(self, table: str, values: dict[str, Any]) -> None:
        """One line given by contract column name: every column of the extract, no other."""
        columns = self._columns[table]
        if set(values) != set(columns):
            raise ValueError(f"{table}: the line's columns are not the contract's {columns}")
        self.write(table, tuple(values[column] for column in columns))


class Generator:
    """Generates the extracts for ``customers`` customers from ``seed``."""

    def __init__(self, customers: int, seed: int) -> None:
        if customers < 0:
            raise ValueError("customers must be zero or more")
        self.customers = customers
        self.rng = random.Random(seed)
        self.review_rng = random.Random(f"reviews-{seed}")
        self.ids = _Counters()

    # ---- small helpers -------------------------------------------------
    def _offset(self, customer: _Customer) -> str:
        rng = self.rng
        return (
            rng.choice(customer.offsets)
            if rng.random() < 0.85
            else rng.choice(("Z", "+00:00", "-05:00", "+01:00", "+05:30", "-08:00"))
        )

    def _at(self, customer: _Customer, moment: datetime) -> str:
        return _ts(moment, self._offset(customer))

    def _phone(self, country: str) -> str | None:
        rng = self.rng
        if rng.random() < 0.12:
            return None
        a, b, c = rng.randint(200, 999), rng.randint(0, 999), rng.randint(0, 9999)
        if country in ("US", "CA"):
            return rng.choice(
                (
                    f"+1 ({a}) {b:03d}-{c:04d}",
                    f"{a}.{b:03d}.{c:04d}",
                    f"{a}-{b:03d}-{c:04d}",
                    f"+1{a}{b:03d}{c:04d}",
                )
            )
        prefix = {"GB": "+44", "DE": "+49", "FR": "+33", "ES": "+34"}[country]
        return rng.choice((f"{prefix} {a} {b:03d} {c:04d}", f"{prefix}{a}{b:03d}{c:04d}"))

    def _messy_email(
        self, email: str | None, rng: random.Random | None = None, padding: str = "  {} "
    ) -> str | None:
        """The same address as another system might hold it: case and spaces vary (drawn
        from ``rng``, the generator's main stream by default; ``padding`` places the
        spaces)."""
        rng = rng or self.rng
        if email is None:
            return None
        roll = rng.random()
        if roll < 0.08:
            return email.upper()
        if roll < 0.14:
            return padding.format(email.title())
        return email

    def _past(self, moment: datetime) -> bool:
        return moment < EXTRACT_AT

    # ---- entities -------------------------------------------------------
    def _new_customer(self, index: int) -> _Customer:
        rng = self.rng
        country = _weighted(rng, tuple((c, v[0]) for c, v in COUNTRIES.items()))
        _, _, language, offsets = COUNTRIES[country]
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        segment = _weighted(rng, SEGMENTS)
        slug = f"{first}.{last}".lower().replace("'", "").encode("ascii", "ignore").decode()
        if rng.random() < 0.03:
            email = None
        elif segment != "consumer" and rng.random() < 0.04:
            email = f"info@{rng.choice(ROLE_DOMAINS)}"  # a shared role address
        else:
            email = f"{slug}{index}@{rng.choice(DOMAINS)}"
        created = WINDOW_START + timedelta(seconds=rng.uniform(0, 640 * 86400))
        return _Customer(
            index=index,
            contact_id=f"C{index:07d}",
            first_name=first,
            last_name=last,
            email=email,
            phone=self._phone(country),
            country=country,
            segment=segment,
            offsets=offsets,
            language=language if rng.random() < 0.9 else "en",
            created_at=created,
            engagement=rng.betavariate(2, 2),
            satisfaction=rng.betavariate(4, 2),
        )

    def _activity(
        self,
        out: _Writer,
        customer: _Customer,
        kind: str,
        channel: str,
        moment: datetime,
        *,
        identified: bool = True,
        anonymous_id: str | None = None,
        campaign: str | None = None,
        with_email: bool = False,
    ) -> None:
        if not self._past(moment):
            return
        self.ids.activity += 1
        out.write(
            "activities",
            (
                f"A{self.ids.activity:09d}",
                customer.contact_id if identified else None,
                anonymous_id,
                self._messy_email(customer.email) if with_email else None,
                kind,
                channel,
                campaign,
                self._at(customer, moment),
            ),
        )
        customer.last_touch_at = max(customer.last_touch_at or moment, moment)

    def _marketing(self, out: _Writer, customer: _Customer) -> int:
        """Awareness and consideration touches. Returns how many email clicks there were."""
        rng = self.rng
        clicks = 0
        anonymous_id = None
        if rng.random() < 0.7:
            anonymous_id = "anon_" + "".join(rng.choices("0123456789abcdef", k=12))
            moment = customer.created_at - timedelta(days=rng.uniform(1, 21))
            # Engaged visitors come through more channels before signing up (and
            # buy more often, see _orders); an ad click lands on the website.
            explored = 1 + sum(rng.random() < customer.engagement for _ in range(3))
            customer.browsing_channels = explored
            for kind, channel in rng.sample(BROWSING, explored):
                self._activity(
                    out,
                    customer,
                    kind,
                    channel,
                    moment,
                    identified=False,
                    anonymous_id=anonymous_id,
                    campaign=rng.choice(CAMPAIGNS) if kind == "ad_click" else None,
                )
                if kind == "ad_click" and rng.random() < AD_LANDING_SHARE:
                    self._activity(
                        out,
                        customer,
                        "web_visit",
                        "web",
                        moment + timedelta(minutes=rng.uniform(1, 10)),
                        identified=False,
                        anonymous_id=anonymous_id,
                    )
                moment += timedelta(hours=rng.uniform(2, 96))
            # The identify call: one row that holds both ids.
            self._activity(
                out, customer, "web_visit", "web", customer.created_at, anonymous_id=anonymous_id
            )
        emails = int(1 + customer.engagement * 6)
        moment = customer.created_at
        for _ in range(emails):
            moment += timedelta(days=rng.uniform(3, 30))
            campaign = rng.choice(CAMPAIGNS)
            self._activity(
                out, customer, "email_sent", "email", moment, campaign=campaign, with_email=True
            )
            if rng.random() < 0.3 + 0.5 * customer.engagement:
                opened = moment + timedelta(hours=rng.uniform(0.2, 48))
                self._activity(
                    out, customer, "email_open", "email", opened, campaign=campaign, with_email=True
                )
                if rng.random() < 0.4:
                    clicks += 1
                    self._activity(
                        out,
                        customer,
                        "email_click",
                        "email",
                        opened + timedelta(minutes=rng.uniform(1, 30)),
                        campaign=campaign,
                        with_email=True,
                    )
                    self._activity(
                        out,
                        customer,
                        "web_visit",
                        "web",
                        opened + timedelta(minutes=rng.uniform(31, 60)),
                        anonymous_id=anonymous_id if rng.random() < 0.3 else None,
                    )
        if customer.segment != "consumer" and rng.random() < 0.5:
            self._activity(
                out,
                customer,
                "webinar_attended",
                "web",
                customer.created_at + timedelta(days=rng.uniform(2, 40)),
                campaign="webinar_series",
            )
        if customer.segment == "enterprise":
            for _ in range(rng.randint(1, 3)):
                self._activity(
                    out,
                    customer,
                    "sales_call",
                    "phone",
                    customer.created_at + timedelta(days=rng.uniform(5, 60)),
                )
        return clicks

    def _orders(
        self,
        out: _Writer,
        customer: _Customer,
        clicks: int,
        after_order: Callable[[str, datetime, str], bool],
    ) -> list[tuple[str, datetime, str]]:
        """Buying as BG/NBD and Gamma-Gamma tell it (see BGNBD_TRUTH, GAMMA_GAMMA_TRUTH).

        ``after_order(order_id, ordered_at, status)`` writes what follows an order
        (tickets, surveys) and says whether support went badly, which may end the
        customer's buying (BAD_SUPPORT_DROPOUT).
        """
        rng = self.rng
        buys = 0.15 + 0.45 * customer.engagement + 0.15 * min(clicks, 2)
        buys += BROWSING_CHANNEL_LIFT * max(customer.browsing_channels - 1, 0)
        if customer.segment == "enterprise":
            buys += 0.1
        if rng.random() > buys:
            return []
        _, currency, _, _ = COUNTRIES[customer.country]
        truth, spend = BGNBD_TRUTH, GAMMA_GAMMA_TRUTH
        rate_per_day = rng.gammavariate(truth["r"], 1 / truth["alpha"]) / 7.0
        dropout = rng.betavariate(truth["a"], truth["b"])
        a, b = truth["a"], truth["b"]
        rate_sds_above = (rate_per_day * 7 * truth["alpha"] - truth["r"]) / math.sqrt(truth["r"])
        dropout_sds_below = (a / (a + b) - dropout) / math.sqrt(
            a * b / ((a + b) ** 2 * (a + b + 1))
        )
        customer.satisfaction = min(
            1.0,
            max(
                0.0,
                customer.satisfaction + LOYALTY_SATISFACTION * (rate_sds_above + dropout_sds_below),
            ),
        )
        spend_rate = rng.gammavariate(spend["q"], 1 / spend["gamma"])
        segment_scale = SEGMENT_SPEND[customer.segment]
        moment = customer.created_at + timedelta(days=rng.expovariate(1 / 18))
        orders: list[tuple[str, datetime, str]] = []
        while self._past(moment):
            self.ids.order += 1
            order_id = f"O{self.ids.order:08d}"
            status = _weighted(rng, (("completed", 0.88), ("refunded", 0.07), ("cancelled", 0.05)))
            amount = round(segment_scale * rng.gammavariate(spend["p"], 1 / spend_rate), 2)
            refunded_at = None
            if status == "refunded":
                refund_moment = moment + timedelta(days=rng.uniform(2, 30))
                if not self._past(refund_moment):
                    status, refund_moment = "completed", None
                refunded_at = self._at(customer, refund_moment) if refund_moment else None
            out.write(
                "orders",
                (
                    order_id,
                    customer.contact_id,
                    self._at(customer, moment),
                    _weighted(rng, ORDER_CHANNELS),
                    status,
                    currency,
                    f"{amount:.2f}",
                    refunded_at,
                ),
            )
            orders.append((order_id, moment, status))
            customer.last_touch_at = max(customer.last_touch_at or moment, moment)
            if rng.random() < 0.3:
                self._activity(
                    out,
                    customer,
                    "app_session",
                    "mobile_app",
                    moment + timedelta(days=rng.uniform(1, 20)),
                )
            if customer.country in ("US", "GB") and rng.random() < 0.1:
                self._activity(
                    out,
                    customer,
                    "store_visit",
                    "store",
                    moment + timedelta(days=rng.uniform(1, 30)),
                )
            if after_order(order_id, moment, status) and rng.random() < BAD_SUPPORT_DROPOUT:
                break
            if len(orders) > 1 and rng.random() < dropout:  # only after a repeat purchase
                break
            # At least a day apart; at most ten years, past the extract date anyway (a rate
            # near zero would otherwise step beyond what datetime can hold).
            moment += timedelta(days=min(max(1.0, rng.expovariate(rate_per_day)), 3650.0))
        if rng.random() < 0.005:  # an order whose contact is missing from the extract
            self.ids.order += 1
            self.ids.orphan += 1
            when = customer.created_at + timedelta(days=rng.uniform(1, 60))
            if self._past(when):
                out.write(
                    "orders",
                    (
                        f"O{self.ids.order:08d}",
                        f"C99{self.ids.orphan:08d}",
                        self._at(customer, when),
                        "web",
                        "completed",
                        currency,
                        f"{segment_scale * spend['p'] / spend_rate:.2f}",
                        None,
                    ),
                )
        return orders

    def _support_user(self, out: _Writer, customer: _Customer, moment: datetime) -> int:
        rng = self.rng
        if customer.support_user_id is not None:
            return customer.support_user_id
        user_id = self.ids.user
        self.ids.user += 1
        roll = rng.random()
        external_id = customer.contact_id if roll < 0.6 else None
        email = self._messy_email(customer.email)
        if roll > 0.92 and customer.email:
            # Another address, same person: only name and phone can join it.
            email = f"{customer.first_name}.{customer.last_name}{customer.index}@work.example"
            email = email.lower().replace("'", "").encode("ascii", "ignore").decode()
        out.write(
            "users",
            (
                user_id,
                email,
                f"{customer.first_name} {customer.last_name}",
                customer.phone if rng.random() < 0.7 else None,
                "end-user",
                external_id,
                self._at(customer, moment),
            ),
        )
        customer.support_user_id = user_id
        return user_id

    def _ticket(self, out: _Writer, customer: _Customer, opened: datetime) -> tuple[int, bool]:
        """One ticket with its audit log. Returns the id and whether it went badly."""
        rng = self.rng
        requester = self._support_user(out, customer, opened)
        ticket_id = self.ids.ticket
        self.ids.ticket += 1
        agent = rng.randint(1, AGENTS)
        priority = _weighted(rng, PRIORITIES) if rng.random() > 0.05 else None
        speed = {"urgent": 0.2, "high": 0.5, "normal": 1.0, "low": 1.6, None: 1.0}[priority]
        skilled = agent in SKILLED_AGENTS
        if skilled:
            speed *= SKILLED_REPLY_SPEED
        subject, _ = rng.choice(TICKET_SUBJECTS)
        events: list[tuple[int, str, str, str | None, datetime]] = []
        events.append((requester, "comment", "true", None, opened))
        status = "new"
        first_reply = opened + timedelta(minutes=rng.lognormvariate(math.log(90 * speed), 1.0))
        replied = rng.random() > 0.04
        went_badly = False
        if replied:
            events.append((agent, "status_change", "", "open", first_reply))
            events.append((agent, "comment", "true", None, first_reply))
            status = "open"
            if rng.random() < 0.3:
                events.append(
                    (
                        agent,
                        "comment",
                        "false",
                        None,
                        first_reply + timedelta(minutes=rng.uniform(1, 30)),
                    )
                )
            moment = first_reply
            if rng.random() < 0.35:
                moment += timedelta(hours=rng.uniform(1, 30))
                events.append((agent, "status_change", "", "pending", moment))
                events.append(
                    (
                        requester,
                        "comment",
                        "true",
                        None,
                        moment + timedelta(hours=rng.uniform(1, 20)),
                    )
                )
                events.append(
                    (agent, "comment", "true", None, moment + timedelta(hours=rng.uniform(21, 30)))
                )
                moment += timedelta(hours=30)
            solved_at = moment + timedelta(hours=rng.lognormvariate(math.log(20 * speed), 1.0))
            events.append((agent, "status_change", "", "solved", solved_at))
            status = "solved"
            went_badly = (first_reply - opened) > timedelta(hours=24)
            if rng.random() < 0.12:  # the customer writes back: a reopen
                went_badly = True
                back = solved_at + timedelta(hours=rng.uniform(2, 72))
                events.append((requester, "comment", "true", None, back))
                events.append((agent, "status_change", "", "open", back))
                again = back + timedelta(hours=rng.uniform(2, 48))
                events.append((agent, "comment", "true", None, again))
                events.append(
                    (
                        agent,
                        "status_change",
                        "",
                        "solved",
                        again + timedelta(minutes=rng.uniform(5, 120)),
                    )
                )
            last = max(e[4] for e in events)
            closed_at = last + timedelta(days=4)
            if self._past(closed_at):
                events.append((agent, "status_change", "", "closed", closed_at))
        events = [e for e in events if self._past(e[4])]
        events.sort(key=lambda e: e[4])
        status_changes = [e[3] for e in events if e[1] == "status_change"]
        status = status_changes[-1] if status_changes else "new"
        if status == "open" and rng.random() < 0.1:
            status = "hold"
        if status in ("solved", "closed") and rng.random() < 0.55:
            if skilled:
                good = rng.random() < SKILLED_GOOD_RATING[1 if went_badly else 0]
            else:
                good = rng.random() < (0.2 if went_badly else 0.9) * (
                    0.6 + 0.4 * customer.satisfaction
                )
            rating = ("good" if good else "bad") if rng.random() < 0.6 else "offered"
            went_badly = went_badly or rating == "bad"
        else:
            rating = "unoffered"
        comment = None
        if rating == "bad" and rng.random() < 0.5:
            comment = rng.choice(VERBATIMS[("wait_time", "negative")]["en"])
        elif rating == "good" and rng.random() < 0.4:
            comment = rng.choice(VERBATIMS[("staff", "positive")]["en"])
        tags = (
            " ".join(
                sorted(
                    rng.sample(
                        ("delivery", "billing", "refund", "vip", "escalated", "damaged", "login"),
                        rng.randint(0, 2),
                    )
                )
            )
            or None
        )
        updated = max(e[4] for e in events)
        out.write(
            "tickets",
            (
                ticket_id,
                requester,
                agent if replied else None,
                self._at(customer, opened),
                self._at(customer, updated),
                status,
                priority,
                _weighted(rng, TICKET_CHANNELS),
                subject,
                tags,
                rating,
                comment,
            ),
        )
        for author, kind, is_public, new_status, moment in events:
            self.ids.event += 1
            out.write(
                "ticket_events",
                (
                    self.ids.event,
                    ticket_id,
                    author,
                    kind,
                    is_public,
                    new_status,
                    self._at(customer, moment),
                ),
            )
        customer.last_touch_at = max(customer.last_touch_at or updated, updated)
        if went_badly:
            customer.bad_support_at.append(updated)
        return ticket_id, went_badly

    def _verbatim(self, customer: _Customer, score_share: float) -> str | None:
        """A comment whose tone follows the score (0 = worst, 1 = best)."""
        rng = self.rng
        if rng.random() > 0.45:
            return None
        tone = (
            "positive"
            if score_share >= 0.7
            else "negative"
            if score_share < 0.5
            else (rng.choice(("positive", "negative")))
        )
        return _comment_text(rng, tone, customer.language)

    def _response(
        self,
        out: _Writer,
        customer: _Customer,
        survey: tuple[str, ...],
        moment: datetime,
        *,
        ticket_id: int | None = None,
        order_id: str | None = None,
    ) -> int | None:
        """One survey response (and its defects). Returns the NPS score given, if any."""
        rng = self.rng
        if not self._past(moment + timedelta(hours=1)):
            return None
        survey_id, _, survey_type, trigger = survey
        recent_bad = sum(
            1 for b in customer.bad_support_at if timedelta(0) <= moment - b <= timedelta(days=30)
        )
        mood = customer.satisfaction - 0.25 * recent_bad + rng.gauss(0, 0.12)
        if trigger == "post_support":
            mood -= SUPPORT_SURVEY_MOOD_PENALTY
        mood = min(1.0, max(0.0, mood))
        nps = csat = ces = None
        if survey_type in ("relationship_nps", "transactional_nps"):
            nps = max(0, min(10, round(mood * 10 + rng.gauss(0.8, 1.0))))
            share = nps / 10
            if rng.random() < 0.007:
                nps = rng.choice((11, 12, -1, 99))  # a broken form
        elif survey_type == "csat":
            csat = max(1, min(5, round(1 + mood * 4 + rng.gauss(0, 0.6))))
            share = (csat - 1) / 4
        else:
            ces = max(1, min(7, round(1 + mood * 6 + rng.gauss(0, 0.8))))
            share = (ces - 1) / 6
        finished, progress = 1, 100
        if rng.random() < 0.04:
            finished, progress = 0, rng.choice((0, 10, 33, 50, 80))
            if progress < 50:  # left before the score question
                nps = csat = ces = None
        status = "IP Address" if rng.random() < 0.93 else "Imported"
        channel = _weighted(
            rng, (("email", 0.6), ("sms", 0.1), ("anonymous", 0.1), ("qr", 0.05), ("in_app", 0.15))
        )
        anonymous = channel == "anonymous"
        start = moment
        end = start + timedelta(seconds=rng.uniform(20, 600))
        recorded = end + timedelta(seconds=rng.uniform(1, 120))
        response_id = "R_" + "".join(rng.choices(ALNUM, k=15))
        row = [
            response_id,
            survey_id,
            status,
            None if anonymous else self._messy_email(customer.email),
            None if anonymous or rng.random() < 0.3 else customer.contact_id,
            channel,
            self._at(customer, start),
            self._at(customer, end),
            self._at(customer, recorded),
            finished,
            progress,
            nps,
            csat,
            ces,
            self._verbatim(customer, share) if finished else None,
            ticket_id,
            order_id,
            customer.language,
        ]
        if rng.random() < 0.03:  # re-exported: an earlier export line of the same response
            early = list(row)
            early[8] = self._at(customer, recorded - timedelta(hours=rng.uniform(1, 48)))
            early[9], early[10] = 0, 50
            lines = [early, row] if rng.random() < 0.5 else [row, early]
            for line in lines:
                out.write("responses", tuple(line))
        else:
            out.write("responses", tuple(row))
        customer.last_touch_at = max(customer.last_touch_at or recorded, recorded)
        return nps if finished and nps is not None and 0 <= nps <= 10 else None

    def _not_real_response(self, out: _Writer, customer: _Customer) -> None:
        """Preview, test and spam rows: real exports carry them."""
        rng = self.rng
        moment = customer.created_at + timedelta(days=rng.uniform(0, 30))
        if not self._past(moment + timedelta(hours=1)):
            return
        survey_id = rng.choice(SURVEYS)[0]
        status = rng.choice(("Survey Preview", "Survey Test", "Spam"))
        out.write(
            "responses",
            (
                "R_" + "".join(rng.choices(ALNUM, k=15)),
                survey_id,
                status,
                "tester@example.com" if status != "Spam" else None,
                None,
                "anonymous",
                self._at(customer, moment),
                self._at(customer, moment + timedelta(seconds=30)),
                self._at(customer, moment + timedelta(seconds=40)),
                1,
                100,
                rng.randint(0, 10) if "NPS" in survey_id else None,
                None,
                None,
                "test, please ignore" if status != "Spam" else "Buy cheap followers!!! 🔥",
                None,
                None,
                "en",
            ),
        )

    def _contact_rows(
        self, out: _Writer, customer: _Customer, bought: bool, evangelist: bool
    ) -> None:
        rng = self.rng
        if evangelist:
            stage = "evangelist"
        elif bought:
            stage = "customer"
        else:
            stage = _weighted(
                rng,
                (
                    ("subscriber", 0.25),
                    ("lead", 0.35),
                    ("marketing_qualified_lead", 0.2),
                    ("opportunity", 0.12),
                    ("other", 0.08),
                ),
            )
        updated = min(
            EXTRACT_AT - timedelta(seconds=1),
            max(customer.created_at, customer.last_touch_at or customer.created_at),
        )
        country = customer.country.lower() if rng.random() < 0.05 else customer.country
        email = customer.email
        if email and rng.random() < 0.06:
            email = f" {email[0].upper()}{email[1:]}  "
        row = [
            customer.contact_id,
            email,
            customer.first_name,
            customer.last_name,
            customer.phone,
            country,
            customer.segment,
            _weighted(rng, ACQUISITION),
            stage,
            self._at(customer, customer.created_at),
            self._at(customer, updated),
            "true" if rng.random() < 0.02 else "false",
        ]
        lines = [row]
        if rng.random() < 0.04:  # re-exported: an older line of the same contact
            older = list(row)
            older[8] = "lead"
            older[10] = self._at(
                customer,
                customer.created_at + (updated - customer.created_at) * rng.uniform(0, 0.9),
            )
            older[11] = "false"
            lines = [older, row] if rng.random() < 0.5 else [row, older]
        for line in lines:
            out.write("contacts", tuple(line))

    # ---- public reviews (their own random stream: self.review_rng) ------------
    def _review(
        self,
        out: _Writer,
        customer: _Customer,
        order_id: str,
        posted: datetime,
        *,
        rating: int | None = None,
    ) -> None:
        """A review of an order, posted at ``posted`` (nothing when that is not past), with
        its re-export after an edit and its defects. ``rating`` when it is known already
        (a promoter's ``review_posted`` activity), else it follows the customer's mood."""
        rng = self.review_rng
        if not self._past(posted):
            return
        if rating is None:
            recent_bad = sum(
                1
                for b in customer.bad_support_at
                if timedelta(0) <= posted - b <= timedelta(days=30)
            )
            mood = customer.satisfaction - 0.25 * recent_bad + rng.gauss(0, 0.12)
            rating = max(1, min(5, round(1 + 4 * min(1.0, max(0.0, mood)) + rng.gauss(0, 0.7))))
        platform = _weighted(rng, REVIEW_PLATFORMS)
        email_share, order_share = REVIEW_SHARES[platform]
        email = customer.email if rng.random() < email_share else None
        reference = order_id if rng.random() < order_share else None
        if reference is not None and rng.random() < 0.02:  # an order of another shop's numbering
            reference = f"X{rng.randint(10**7, 10**8 - 1)}"
        self.ids.review += 1
        line = {
            "review_id": f"RV{self.ids.review:08d}",
            "platform": platform,
            "reviewer_email": self._messy_email(email, self.review_rng, " {}  "),
            "order_reference": reference,
            "rating": str(rating),
            "title": None,
            "body": None,
            "language": customer.language,
            "posted_at": _ts(posted, rng.choice(customer.offsets)),
            "updated_at": None,
        }
        line["updated_at"] = line["posted_at"]
        tone = (
            "positive"
            if rating >= 4
            else "negative"
            if rating <= 2
            else rng.choice(("positive", "negative"))
        )
        if rng.random() < 0.8:
            line["title"] = rng.choice(REVIEW_TITLES[tone][customer.language])
        if rng.random() < 0.85:
            line["body"] = _comment_text(rng, tone, customer.language)
        lines = [line]
        edited_at = posted + timedelta(days=rng.uniform(1, 60))
        if rng.random() < REVIEW_EDITED_SHARE and self._past(edited_at):
            edited = dict(line)
            edited["rating"] = str(max(1, min(5, rating + rng.choice((-1, 1)))))
            edited["updated_at"] = _ts(edited_at, rng.choice(customer.offsets))
            lines = [line, edited] if rng.random() < 0.5 else [edited, line]
        roll = rng.random()
        if roll < 0.01:  # a broken rating widget
            lines[-1]["rating"] = ("0", "6", "4.5")[self.ids.rating_defect % 3]
            self.ids.rating_defect += 1
        elif roll < 0.02:  # not a moment the contract can read: month 13, or no UTC offset
            posted_at = lines[-1]["posted_at"]
            lines[-1]["posted_at"] = (
                posted_at[:5] + "13" + posted_at[7:],
                posted_at[:19].replace("T", " "),
            )[self.ids.timestamp_defect % 2]
            self.ids.timestamp_defect += 1
        elif roll < 0.025:
            lines[-1]["platform"] = "yelp"  # a platform the contract does not list
        elif roll < 0.03:  # one id, one updated_at, two ratings: nothing says which is right
            other = dict(lines[-1])
            other["rating"] = str(6 - int(other["rating"])) if other["rating"] != "3" else "4"
            lines.append(other)
        elif roll < 0.035:  # the same line exported twice
            lines.append(dict(lines[-1]))
        for each in lines:
            out.write_named("reviews", each)

    def _reviews_after_order(
        self, out: _Writer, customer: _Customer, order_id: str, moment: datetime
    ) -> None:
        """Some completed orders are reviewed days later, more often by satisfied buyers."""
        rng = self.review_rng
        chance = REVIEW_BASE_CHANCE + REVIEW_SATISFACTION_CHANCE * customer.satisfaction
        if rng.random() < chance:
            self._review(out, customer, order_id, moment + timedelta(days=rng.uniform(2, 30)))

    # ---- the whole run ------------------------------------------------------
    def _customer(self, out: _Writer, index: int) -> None:
        rng = self.rng
        customer = self._new_customer(index)
        clicks = self._marketing(out, customer)
        evangelist = False

        def after_order(order_id: str, moment: datetime, status: str) -> bool:
            """A ticket and surveys after an order; whether the ticket went badly."""
            nonlocal evangelist
            went_badly = False
            reviewed = False
            if rng.random() < 0.12 + 0.12 * (1 - customer.satisfaction) + (
                0.3 if status == "refunded" else 0
            ):
                opened = moment + timedelta(days=rng.uniform(0.5, 10))
                if self._past(opened):
                    ticket_id, went_badly = self._ticket(out, customer, opened)
                    if rng.random() < 0.35:
                        survey = SURVEYS[2] if rng.random() < 0.6 else SURVEYS[3]
                        closed = opened + timedelta(days=rng.uniform(1, 5))
                        self._response(out, customer, survey, closed, ticket_id=ticket_id)
            if status == "completed" and rng.random() < 0.25:
                score = self._response(
                    out,
                    customer,
                    SURVEYS[1],
                    moment + timedelta(days=rng.uniform(1, 6)),
                    order_id=order_id,
                )
                if score is not None and score >= 9 and rng.random() < 0.4:
                    evangelist = True
                    when = moment + timedelta(days=rng.uniform(7, 40))
                    self._activity(out, customer, "review_posted", "web", when)
                    reviewed = True  # the review the activity records
                    self._review(out, customer, order_id, when, rating=5 if score == 10 else 4)
                    if rng.random() < 0.5:
                        self._activity(
                            out,
                            customer,
                            "referral_sent",
                            "email",
                            when + timedelta(days=rng.uniform(1, 10)),
                            campaign="loyalty_program",
                            with_email=True,
                        )
            if status == "completed" and not reviewed:
                self._reviews_after_order(out, customer, order_id, moment)
            if status == "completed" and rng.random() < 0.1:  # how easy was checkout?
                self._response(
                    out,
                    customer,
                    SURVEYS[4],
                    moment + timedelta(hours=rng.uniform(1, 48)),
                    order_id=order_id,
                )
            return went_badly

        orders = self._orders(out, customer, clicks, after_order)
        if not orders and rng.random() < 0.04:  # pre-sales questions
            opened = customer.created_at + timedelta(days=rng.uniform(1, 20))
            if self._past(opened):
                self._ticket(out, customer, opened)
        quarter = datetime(
            customer.created_at.year,
            3 * ((customer.created_at.month - 1) // 3) + 1,
            1,
            tzinfo=UTC,
        )
        while True:
            month = quarter.month + 3
            quarter = quarter.replace(
                year=quarter.year + (month - 1) // 12, month=(month - 1) % 12 + 1
            )
            if not self._past(quarter):
                break
            if rng.random() < 0.12 + 0.1 * bool(orders):
                self._response(
                    out, customer, SURVEYS[0], quarter + timedelta(days=rng.uniform(0, 20))
                )
        if rng.random() < 0.03:
            self._not_real_response(out, customer)
        self._contact_rows(out, customer, any(s == "completed" for _, _, s in orders), evangelist)

    def write(self, out_dir: Path, progress: bool = False) -> None:
        """Write every contract extract under ``out_dir``."""
        with ExitStack() as stack:
            out = _Writer(Path(out_dir), stack)
            for survey in SURVEYS:
                out.write("surveys", survey)
            for user_id in range(1, AGENTS + ADMINS + 1):
                role = "agent" if user_id <= AGENTS else "admin"
                out.write(
                    "users",
                    (
                        user_id,
                        f"agent{user_id:02d}@support.example",
                        f"Agent {user_id:02d}",
                        None,
                        role,
                        None,
                        "2023-06-01T09:00:00Z",
                    ),
                )
            for index in _progress(range(1, self.customers + 1), progress):
                self._customer(out, index)


def _progress(indices: range, show: bool) -> Iterator[int]:
    if not show:
        yield from indices
        return
    from tqdm import tqdm

    yield from tqdm(indices, unit="customer", mininterval=1.0)


def generate(out_dir: Path | str, customers: int, seed: int = 42, progress: bool = False) -> None:
    """Write the contract's extracts for ``customers`` customers under ``out_dir``."""
    Generator(customers, seed).write(Path(out_dir), progress=progress)
