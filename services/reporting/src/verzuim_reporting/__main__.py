"""`python -m verzuim_reporting [serve|rebuild]`: run the reporting service, or rebuild its read model."""

from __future__ import annotations

from verzuim_reporting.entrypoints.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    main()
