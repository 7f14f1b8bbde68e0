"""`python -m verzuim_cases`: run the cases service."""

from __future__ import annotations

from verzuim_shared.service import serve

from verzuim_cases.bootstrap import create_app
from verzuim_cases.settings import CasesSettings


def main() -> None:
    settings = CasesSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
