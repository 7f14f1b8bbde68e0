"""The composition root: builds the stores, the use cases, the consumers, the dispatcher and the API from the
settings."""

from __future__ import annotations

from functools import partial

from fastapi import FastAPI
from verzuim_shared.service import ServiceSpec, make_broker
from verzuim_shared.service import create_app as create_service_app

from verzuim_notifications.adapters.aflever_store import PostgresAfleverStore
from verzuim_notifications.adapters.berichten_store import PostgresBerichtenlog, PostgresInboxStore
from verzuim_notifications.adapters.configuratie_store import PostgresConfiguratieStore
from verzuim_notifications.adapters.database import Database
from verzuim_notifications.adapters.dossier_store import PostgresDossierStore
from verzuim_notifications.adapters.personeel_store import PostgresPersoneelStore
from verzuim_notifications.adapters.sjablonen import Sjablonen
from verzuim_notifications.adapters.smtp import SmtpVerzender
from verzuim_notifications.adapters.voorkeur_store import PostgresVoorkeurStore
from verzuim_notifications.adapters.webhook import HttpWebhookVerzender, controleer_url, nieuw_secret
from verzuim_notifications.application import (
    Afleveringen,
    Bezorger,
    Inbox,
    Notificaties,
    PersoneelProjectie,
    Regiemodellen,
    Voorkeuren,
)
from verzuim_notifications.domain.aflevering import Backoff
from verzuim_notifications.entrypoints import afleveringen as afleveringen_http
from verzuim_notifications.entrypoints import routering as routering_http
from verzuim_notifications.entrypoints import voorkeuren as voorkeuren_http
from verzuim_notifications.entrypoints.http import build_router
from verzuim_notifications.entrypoints.worker import register_consumers
from verzuim_notifications.settings import NotificationsSettings


def create_app(settings: NotificationsSettings | None = None) -> FastAPI:
    settings = settings or NotificationsSettings()
    clock = settings.clock_impl
    database = Database(settings, pool_max=settings.database_pool_max)
    personeel = PostgresPersoneelStore(database)
    configuratie = PostgresConfiguratieStore(database)
    voorkeur_store = PostgresVoorkeurStore(database)
    aflever_store = PostgresAfleverStore(database)
    email = (
        SmtpVerzender(
            host=settings.smtp_host,
            port=settings.smtp_port,
            afzender=settings.smtp_afzender,
            beveiliging=settings.smtp_beveiliging,
            gebruiker=settings.smtp_gebruiker,
            wachtwoord=settings.smtp_wachtwoord.get_secret_value(),
            timeout_s=settings.smtp_timeout_s,
            verbindingen=settings.smtp_verbindingen,
            max_per_verbinding=settings.smtp_max_per_verbinding,
        )
        if settings.smtp_host
        else None
    )
    webhook = HttpWebhookVerzender(
        timeout_s=settings.webhook_timeout_s, toegestane_hosts=settings.webhook_toegestane_hosts
    )
    bezorger = Bezorger(
        aflever_store,
        voorkeur_store,
        email,
        webhook,
        clock,
        backoff=Backoff(
            basis_s=settings.aflever_backoff_basis_s,
            factor=settings.aflever_backoff_factor,
            maximum_s=settings.aflever_backoff_max_s,
            max_pogingen=settings.aflever_max_pogingen,
        ),
        interval_s=settings.bezorger_interval_s,
        lease_s=settings.bezorger_lease_s,
        batch=settings.bezorger_batch,
        digest_uur=settings.digest_uur,
    )
    regiemodellen = Regiemodellen(configuratie, clock, standaard=settings.standaard_regiemodel)
    notificaties = Notificaties(
        personeel,
        PostgresDossierStore(database),
        regiemodellen,
        configuratie,
        voorkeur_store,
        PostgresBerichtenlog(database),
        Sjablonen(),
        clock,
        eenheid=database.eenheid,
        public_url_cases=settings.public_url_cases,
        public_url_deadlines=settings.public_url_deadlines,
        email_aan=email is not None,
        na_vastleggen=bezorger.wek,
    )
    broker = make_broker(settings)
    register_consumers(broker, settings, PersoneelProjectie(personeel), notificaties)
    inbox = Inbox(PostgresInboxStore(database), clock)
    return create_service_app(
        ServiceSpec(
            title="verzuim notifications",
            description=(
                "Tells the right role what to do and by when, routed by the werkgever's regiemodel: inbox, e-mail "
                "and signed webhooks."
            ),
            settings=settings,
            broker=broker,
            routers=[
                build_router(inbox),
                routering_http.build_router(regiemodellen, clock),
                voorkeuren_http.build_router(
                    Voorkeuren(
                        voorkeur_store,
                        clock,
                        nieuw_secret=nieuw_secret,
                        controleer_url=partial(controleer_url, toegestane_hosts=settings.webhook_toegestane_hosts),
                    )
                ),
                afleveringen_http.build_router(Afleveringen(aflever_store, bezorger)),
            ],
            on_startup=[database.open, webhook.open],
            on_shutdown=[
                webhook.close,
                *([email.close] if email is not None else []),
                aflever_store.afmelden,
                database.close,
            ],
            background=[bezorger.draai],
            readiness=[database.postgres],
        )
    )
