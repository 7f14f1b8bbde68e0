"""`verzuim-reporting`: run the service; `verzuim-reporting rebuild`: rebuild the read model from the streams."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from verzuim_shared.service import configure_logging, serve

from verzuim_reporting.adapters.database import Database
from verzuim_reporting.adapters.herbouw import Herbouwer, HerbouwResultaat
from verzuim_reporting.bootstrap import create_app
from verzuim_reporting.settings import ReportingSettings


async def herbouw(settings: ReportingSettings) -> HerbouwResultaat:
    database = Database(settings, max_size=2)
    await database.open()
    try:
        return await Herbouwer(database, settings).herbouw()
    finally:
        await database.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="verzuim-reporting", description=__doc__)
    sub = parser.add_subparsers(dest="opdracht")
    sub.add_parser("serve", help="run the service (the default)")
    sub.add_parser(
        "rebuild",
        help="replay the personeel, dossier and termijn streams from the beginning into a fresh read model and swap "
        "it in (the running service keeps answering from the old one until then)",
    )
    args = parser.parse_args(argv)
    settings = ReportingSettings()
    if args.opdracht == "rebuild":
        configure_logging(settings)
        r = asyncio.run(herbouw(settings))
        json.dump(
            {
                "gelezen": r.gelezen,
                "feiten": r.feiten,
                "ongeldig": r.ongeldig,
                "posities": r.posities,
                "ingehaald": r.ingehaald,
                "seconden": round(r.totaal_seconden, 3),
                "events_per_seconde": round(r.events_per_seconde),
            },
            sys.stdout,
        )
        sys.stdout.write("\n")
        return
    serve(create_app(settings), settings)
