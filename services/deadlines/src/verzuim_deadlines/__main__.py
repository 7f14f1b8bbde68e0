"""`python -m verzuim_deadlines`: run the deadlines service until SIGINT/SIGTERM."""

from __future__ import annotations

from verzuim_shared.service import serve

from verzuim_deadlines.bootstrap import create_app
from verzuim_deadlines.settings import DeadlinesSettings


def main() -> None:
    settings = DeadlinesSettings()
    serve(create_app(settings), settings)


if __name__ == "__main__":
    main()
