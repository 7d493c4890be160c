"""Server-rendered web pages (Jinja2 templates, no JavaScript build step)."""
