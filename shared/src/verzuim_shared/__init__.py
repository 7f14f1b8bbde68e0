"""The verzuim contract package: what every service imports and nobody re-declares."""
