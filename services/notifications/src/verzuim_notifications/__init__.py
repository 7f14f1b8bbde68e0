"""verzuim notifications service."""
