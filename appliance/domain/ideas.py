"""Topic ideas that fill a channel's backlog, none a near-duplicate of its history.

Ideas come from the channel's script provider: its LLM when one is configured (the
call billed to the channel), else the offline writer's subjects for the niche. Each is
compared with the channel's past and queued topics and with the others kept, on
normalised words (lower case, no punctuation or filler words, plurals folded): two
topics sharing most of their meaningful words (Jaccard ≥ ``NEAR``), one's words nearly
all inside the other's, or reading almost the same, are one topic. A channel with a low
mark refills itself (``refill_all``).
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from appliance.config.settings import Settings
from appliance.domain import backlog
from appliance.domain.access import Actor, Owner, owned
from appliance.domain.credentials import CredentialVault, resolve_secrets
from appliance.domain.events import record_event
from appliance.domain.ledger import record_channel_cost
from appliance.pricing.catalog import usable_chain
from render.costs import Charge
from render.providers import ProviderFailure
from render.script.ideas import MAX_IDEAS, llm_ideas, offline_ideas
from storage.db import Database
from storage.models import BacklogTopic, Channel, Video

NEAR = 0.6
CONTAINED = 0.8
SAME_TEXT = 0.85
HISTORY = 500
_FILLER = frozenset(
    "a an the of to in on for and or but is are was were be how why what when where who "
    "which that this these those it its you your we our my do does did can vs about with "
    "from by at as into one minute explained things know".split()
)


def words(topic: str) -> frozenset[str]:
    found = set()
    for word in re.findall(r"[a-z0-9]+", topic.lower()):
        if word in _FILLER:
            continue
        if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        found.add(word)
    return frozenset(found)


def near(first: str, second: str) -> bool:
    a, b = words(first), words(second)
    if a and b and len(a & b) / len(a | b) >= NEAR:
        return True
    # One topic's words all inside the other's: the same topic said at more length.
    if min(len(a), len(b)) >= 2 and len(a & b) / min(len(a), len(b)) >= CONTAINED:
        return True
    return SequenceMatcher(None, " ".join(sorted(a)), " ".join(sorted(b))).ratio() >= SAME_TEXT


def distinct(candidates: list[str], history: list[str], count: int) -> tuple[list[str], list[str]]:
    """(kept, skipped): up to ``count`` candidates, none near the history or each other."""
    kept: list[str] = []
    skipped: list[str] = []
    for candidate in candidates:
        if len(kept) >= count:
            break
        if any(near(candidate, other) for other in (*history, *kept)):
            skipped.append(candidate)
        else:
            kept.append(candidate)
    return kept, skipped


def history(session: Session, channel_id: int) -> list[str]:
    """The channel's topics: its videos' (newest last) and its backlog's."""
    made = session.scalars(
        select(Video.topic)
        .where(Video.channel_id == channel_id)
        .order_by(Video.id.desc())
        .limit(HISTORY)
    ).all()
    waiting = session.scalars(
        select(BacklogTopic.topic).where(BacklogTopic.channel_id == channel_id)
    ).all()
    return [*reversed(made), *waiting]


@dataclass(frozen=True)
class Suggested:
    added: list[BacklogTopic]
    skipped: list[str] = field(default_factory=list)  # near-duplicates left out
    provider: str = "template"
    cost_micro_usd: int = 0


async def suggest(
    db: Database,
    vault: CredentialVault,
    settings: Settings,
    actor: Actor,
    channel_id: int,
    count: int,
) -> Suggested:
    """Ask for ``count`` ideas and add the new ones to the backlog's end."""
    count = max(1, min(count, MAX_IDEAS))

    def read(session: Session):
        channel = owned(session, actor, Channel, channel_id)
        secrets = resolve_secrets(session, vault, settings, channel.owner_id)
        return channel, history(session, channel_id), secrets

    channel, past, secrets = await db.query(read)
    charges: list[Charge] = []
    provider, candidates = "template", []
    chain, _ = usable_chain(settings, "script", channel.providers or None, set(secrets))
    for choice in chain:
        if choice.kind not in ("openai", "local-llm"):
            continue
        key = secrets.get(choice.credential) if choice.credential else None
        try:
            candidates = await asyncio.to_thread(
                llm_ideas,
                choice,
                key.get_secret_value() if key else None,
                niche=channel.niche,
                channel_name=channel.name,
                count=count * 2,  # room for the near-duplicates left out
                avoid=past,
                on_charge=charges.append,
            )
            provider = choice.name
            break
        except ProviderFailure:
            continue  # the next provider, and the offline writer after them all
    kept, skipped = distinct(candidates, past, count)
    if len(kept) < count:
        offline = offline_ideas(
            channel.niche, count * 4 + len(past), seed=channel.id * 7919 + len(past)
        )
        more, also_skipped = distinct(offline, [*past, *kept], count - len(kept))
        kept += more
        skipped += also_skipped
        if not candidates:
            provider = "template"
    cost = 0
    if not kept and not charges:
        return Suggested([], skipped, provider, 0)  # nothing new: nothing to tell
    async with db.write() as session:
        fresh = await session.get(Channel, channel_id)
        for charge in charges:
            cost += await record_channel_cost(session, fresh, "ideas", charge.as_message())
        await record_event(
            session,
            "backlog.ideas",
            owner_id=channel.owner_id,
            channel_id=channel_id,
            provider=provider,
            added=len(kept),
            skipped=len(skipped),
            cost_micro_usd=cost,
        )
    added = await backlog.add(db, actor, channel_id, kept) if kept else []
    return Suggested(added, skipped, provider, cost)


async def refill_all(db: Database, vault: CredentialVault, settings: Settings) -> int:
    """Every channel whose backlog is under its low mark gets ideas up to the mark plus
    its refill; the number of topics added."""

    def low(session: Session) -> list[tuple[int, int, int, int, int]]:
        counts = (
            select(BacklogTopic.channel_id, func.count().label("n"))
            .group_by(BacklogTopic.channel_id)
            .subquery()
        )
        rows = session.execute(
            select(
                Channel.id,
                Channel.owner_id,
                Channel.backlog_low_mark,
                Channel.backlog_refill,
                func.coalesce(counts.c.n, 0),
            )
            .outerjoin(counts, counts.c.channel_id == Channel.id)
            .where(Channel.backlog_low_mark.is_not(None))
        ).all()
        return [row for row in rows if row[4] < row[2]]

    added = 0
    for channel_id, owner_id, low_mark, refill, have in await db.query(low):
        want = low_mark - have + refill
        result = await suggest(db, vault, settings, Owner(owner_id), channel_id, want)
        added += len(result.added)
    return added
