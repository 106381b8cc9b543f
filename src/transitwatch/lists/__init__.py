"""Sanctions and export-control lists: parsers for official formats, the entity model, versions."""
