"""The admin pages, one module per section."""
