"""`python -m verzuim_notifications`: run the notifications service until SIGINT/SIGTERM."""

from __future__ import annotations

from verzuim_shared.service import serve

from verzuim_notifications.bootstrap import create_app
from verzuim_notifications.settings import NotificationsSettings


def main() -> None:
    settings = NotificationsSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
