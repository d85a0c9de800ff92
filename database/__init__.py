"""Databases: the workflow store and the registry, their models and the one session factory."""
