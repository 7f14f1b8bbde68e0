"""PostgreSQL storage and the Jinja2 templates behind the application's ports."""
