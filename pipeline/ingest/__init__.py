"""Ingest: find scan files, fingerprint them, store masters read-only, read their pages one at a time."""
