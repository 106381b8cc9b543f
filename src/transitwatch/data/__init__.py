"""Reviewed reference data shipped with the package (each file cites its sources)."""
