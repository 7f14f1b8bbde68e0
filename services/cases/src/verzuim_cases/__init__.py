"""verzuim cases service."""
