"""verzuim deadlines service."""
