"""Reading a JetStream stream from the beginning, as fast as nats-py allows: an ordered push consumer (the server
pushes, flow control and gap detection are handled by the client), no acks. Used by the rebuild, and by the benchmark
as the raw read rate the rebuild is compared with."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy
from verzuim_shared.subjects import Stream

Verwerker = Callable[[str, bytes, int], None]  # (subject, payload, stream sequence)


async def laatste_sequence(nc: Client, stream: Stream) -> int:
    info = await nc.jetstream().stream_info(stream.jetstream_name)
    return int(info.state.last_seq)


async def lees_stroom(
    nc: Client, stream: Stream, verwerk: Verwerker, *, vanaf: int = 1, tot_en_met: int | None = None
) -> int:
    """Hand every message of the stream with a sequence in [vanaf, tot_en_met] to `verwerk`, in stream order.
    `tot_en_met` defaults to the last sequence when the call starts. Returns the number of messages handed over."""
    js = nc.jetstream()
    einde = await laatste_sequence(nc, stream) if tot_en_met is None else tot_en_met
    info = await js.stream_info(stream.jetstream_name)
    if einde < max(vanaf, int(info.state.first_seq)) or info.state.messages == 0:
        return 0
    klaar = asyncio.get_running_loop().create_future()
    aantal = 0

    async def ontvang(msg: Msg) -> None:
        nonlocal aantal
        if klaar.done():
            return
        seq = msg.metadata.sequence.stream
        if seq <= einde:
            try:
                verwerk(msg.subject, msg.data, seq)
            except BaseException as exc:
                klaar.set_exception(exc)
                return
            aantal += 1
        if seq >= einde:
            klaar.set_result(None)

    config = (
        ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=vanaf)
        if vanaf > 1
        else ConsumerConfig(deliver_policy=DeliverPolicy.ALL)
    )
    sub = await js.subscribe(
        stream.wildcard,
        stream=stream.jetstream_name,
        cb=ontvang,
        ordered_consumer=True,
        pending_msgs_limit=1_000_000,
        pending_bytes_limit=1024 * 1024 * 1024,
        config=config,
    )
    try:
        await klaar
    finally:
        await sub.unsubscribe()
    return aantal
