"""verzuim intake service."""
