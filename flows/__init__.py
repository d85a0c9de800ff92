"""Prefect flows and thin tasks that call the pipeline's stage functions and persist their results."""
