"""The intake's only state, in NATS KV buckets (file storage), so the service stays stateless and scales by replicas:

- `verzuim_intake_idempotency`: per Idempotency-Key the request fingerprint and the fact it produced (TTL).
- `verzuim_intake_werkgevers`: per werkgever its meldtijden, as JSON (kept until changed; a few revisions kept).
- `verzuim_intake_personeel`: per medewerker and afdeling what the HR sync last published (kept until changed), so an
  unchanged daily sync publishes nothing.
"""

from __future__ import annotations

import asyncio
import dataclasses
import hashlib
import json
import logging
import string
from collections.abc import Mapping, Sequence
from datetime import datetime, time

from faststream.nats import NatsBroker
from nats.js.api import KeyValueConfig, StorageType
from nats.js.errors import BadRequestError, KeyDeletedError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue
from verzuim_shared.events import Actor
from verzuim_shared.settings import ServiceSettings

from verzuim_intake.adapters.nats_fouten import als_storing
from verzuim_intake.application import IdempotencyRecord, OpgeslagenInstellingen
from verzuim_intake.domain.meldtijd import Meldtijden

log = logging.getLogger(__name__)

IDEMPOTENCY_BUCKET = "verzuim_intake_idempotency"
WERKGEVERS_BUCKET = "verzuim_intake_werkgevers"
PERSONEEL_BUCKET = "verzuim_intake_personeel"

_VEILIG = frozenset(string.ascii_letters + string.digits + "-_")


def sleuteldeel(value: str) -> str:
    """A KV key token for any string: letters, digits, '-' and '_' stay; every other byte becomes `=XX`."""
    return "".join(c if c in _VEILIG else "".join(f"={b:02X}" for b in c.encode()) for c in value)


def idempotency_sleutel(soort: str, werkgever_id: str, key: str) -> str:
    # The client's key is hashed: any length and any characters fit, and it is never stored in clear.
    return f"{soort}.{sleuteldeel(werkgever_id)}.{hashlib.sha256(key.encode()).hexdigest()}"


class KvBuckets:
    """Opens (and creates when missing) the buckets on first use, once per process."""

    def __init__(
        self, broker: NatsBroker, settings: ServiceSettings, *, idempotency_ttl_s: float, timeout_s: float
    ) -> None:
        self._broker = broker
        self._settings = settings
        self._ttl = idempotency_ttl_s
        self._timeout = timeout_s
        self._open: dict[str, KeyValue] = {}
        self._lock = asyncio.Lock()

    async def idempotency(self) -> KeyValue:
        return await self._bucket(
            KeyValueConfig(
                bucket=IDEMPOTENCY_BUCKET,
                description="verzuim intake: Idempotency-Key -> request fingerprint and published fact",
                ttl=self._ttl,
                storage=StorageType.FILE,
                replicas=self._settings.stream_replicas,
            )
        )

    async def werkgevers(self) -> KeyValue:
        return await self._bucket(
            KeyValueConfig(
                bucket=WERKGEVERS_BUCKET,
                description="verzuim intake: instellingen per werkgever (meldtijden)",
                history=10,
                storage=StorageType.FILE,
                replicas=self._settings.stream_replicas,
            )
        )

    async def personeel(self) -> KeyValue:
        return await self._bucket(
            KeyValueConfig(
                bucket=PERSONEEL_BUCKET,
                description="verzuim intake: per medewerker and afdeling what the HR sync last published",
                history=1,
                storage=StorageType.FILE,
                replicas=self._settings.stream_replicas,
                direct=True,  # many small reads per sync: direct gets are answered without the stream leader's API
            )
        )

    async def ready(self) -> None:
        """Readiness: the buckets exist and can be opened."""
        await self.idempotency()
        await self.werkgevers()
        await self.personeel()

    async def _bucket(self, config: KeyValueConfig) -> KeyValue:
        assert config.bucket is not None
        if config.bucket in self._open:
            return self._open[config.bucket]
        async with self._lock:
            if config.bucket not in self._open:
                with als_storing(f"KV-bucket {config.bucket} openen"):
                    self._open[config.bucket] = await self._create_or_update(config)
            return self._open[config.bucket]

    async def _create_or_update(self, config: KeyValueConfig) -> KeyValue:
        # Every operation on the bucket waits at most `timeout_s`, so a NATS outage becomes a quick 503.
        js = self._broker.connection.jetstream(timeout=self._timeout)
        try:
            return await js.create_key_value(config)
        except BadRequestError as exc:
            if exc.err_code != 10058:  # exists with a different configuration, e.g. a changed TTL
                raise
        stream = f"KV_{config.bucket}"
        info = await js.stream_info(stream)
        wanted = dataclasses.replace(
            info.config,
            max_age=config.ttl,
            duplicate_window=min(120.0, config.ttl) if config.ttl else info.config.duplicate_window,
            description=config.description,
        )
        log.info("bringing KV bucket %s in line with the settings (ttl=%s)", config.bucket, config.ttl)
        await js.update_stream(wanted)
        return await js.key_value(config.bucket)


class NatsIdempotencyStore:
    def __init__(self, buckets: KvBuckets) -> None:
        self._buckets = buckets

    async def claim(self, soort: str, werkgever_id: str, key: str, record: IdempotencyRecord) -> IdempotencyRecord:
        kv = await self._buckets.idempotency()
        sleutel = idempotency_sleutel(soort, werkgever_id, key)
        value = json.dumps({"vingerafdruk": record.vingerafdruk, "event": record.event_json}).encode()
        with als_storing("Idempotency-Key vastleggen"):
            for _ in range(3):
                try:
                    await kv.create(sleutel, value)  # atomic: only the first request with this key succeeds
                    return record
                except KeyWrongLastSequenceError:
                    pass
                try:
                    entry = await kv.get(sleutel)
                except (KeyNotFoundError, KeyDeletedError):
                    continue  # expired between the two calls: try to claim it again
                if entry.value is None:
                    continue
                stored = json.loads(entry.value)
                return IdempotencyRecord(vingerafdruk=stored["vingerafdruk"], event_json=stored["event"])
        raise RuntimeError(f"Idempotency-Key {sleutel} could neither be created nor read")


class NatsInstellingenStore:
    def __init__(self, buckets: KvBuckets) -> None:
        self._buckets = buckets

    async def get(self, werkgever_id: str) -> OpgeslagenInstellingen | None:
        kv = await self._buckets.werkgevers()
        with als_storing("instellingen van de werkgever lezen"):
            try:
                entry = await kv.get(sleuteldeel(werkgever_id))
            except (KeyNotFoundError, KeyDeletedError):
                return None
        if entry.value is None:
            return None
        data = json.loads(entry.value)
        return OpgeslagenInstellingen(
            werkgever_id=data["werkgever_id"],
            meldtijden=Meldtijden(
                leidinggevende=time.fromisoformat(data["meldtijd_leidinggevende"]),
                verzuim_support=time.fromisoformat(data["meldtijd_verzuim_support"]),
            ),
            gewijzigd_op=datetime.fromisoformat(data["gewijzigd_op"]),
            gewijzigd_door=Actor.model_validate(data["gewijzigd_door"]),
        )

    async def put(self, instellingen: OpgeslagenInstellingen) -> None:
        kv = await self._buckets.werkgevers()
        value = json.dumps(
            {
                "werkgever_id": instellingen.werkgever_id,
                "meldtijd_leidinggevende": instellingen.meldtijden.leidinggevende.strftime("%H:%M"),
                "meldtijd_verzuim_support": instellingen.meldtijden.verzuim_support.strftime("%H:%M"),
                "gewijzigd_op": instellingen.gewijzigd_op.isoformat(),
                "gewijzigd_door": instellingen.gewijzigd_door.model_dump(mode="json"),
            }
        ).encode()
        with als_storing("instellingen van de werkgever opslaan"):
            await kv.put(sleuteldeel(instellingen.werkgever_id), value)


class NatsPersoneelGeheugen:
    """One KV entry per medewerker or afdeling (`<soort>.<werkgever>.<id>`), read and written concurrently (bounded),
    so a sync of thousands costs about as many round trips in flight as its publishes."""

    def __init__(self, buckets: KvBuckets, *, concurrency: int) -> None:
        self._buckets = buckets
        self._concurrency = concurrency

    @staticmethod
    def sleutel(werkgever_id: str, soort: str, item_id: str) -> str:
        return f"{soort}.{sleuteldeel(werkgever_id)}.{sleuteldeel(item_id)}"

    async def lees(self, werkgever_id: str, soort: str, ids: Sequence[str]) -> dict[str, str]:
        kv = await self._buckets.personeel()
        limit = asyncio.Semaphore(self._concurrency)

        async def one(item_id: str) -> tuple[str, str | None]:
            async with limit:
                try:
                    entry = await kv.get(self.sleutel(werkgever_id, soort, item_id))
                except (KeyNotFoundError, KeyDeletedError):
                    return item_id, None
            return item_id, entry.value.decode() if entry.value else None

        with als_storing("eerder gepubliceerde personeelsgegevens lezen"):
            found = await asyncio.gather(*(one(item_id) for item_id in ids))
        return {item_id: value for item_id, value in found if value is not None}

    async def onthoud(self, werkgever_id: str, soort: str, waarden: Mapping[str, str]) -> None:
        if not waarden:
            return
        kv = await self._buckets.personeel()
        limit = asyncio.Semaphore(self._concurrency)

        async def one(item_id: str, value: str) -> None:
            async with limit:
                await kv.put(self.sleutel(werkgever_id, soort, item_id), value.encode())

        with als_storing("gepubliceerde personeelsgegevens onthouden"):
            await asyncio.gather(*(one(item_id, value) for item_id, value in waarden.items()))
