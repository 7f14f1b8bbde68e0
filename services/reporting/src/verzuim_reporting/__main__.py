"""`python -m verzuim_reporting`: run the reporting service until SIGINT/SIGTERM."""

from __future__ import annotations

from verzuim_shared.service import serve

from verzuim_reporting.bootstrap import create_app
from verzuim_reporting.settings import ReportingSettings


def main() -> None:
    settings = ReportingSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
