"""verzuim reporting service."""
