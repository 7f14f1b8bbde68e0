"""`python -m verzuim_intake`: run the intake service."""

from __future__ import annotations

from verzuim_shared.service import serve

from verzuim_intake.bootstrap import create_app
from verzuim_intake.settings import IntakeSettings


def main() -> None:
    settings = IntakeSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
