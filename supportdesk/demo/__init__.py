"""Realistic demo data, loaded through the services: `supportdesk demo`.

A plain package, not a Django app: it has no models. `load_demo()` is the entry point.
"""
