"""Trade flows: loaders into the canonical ``trade_flows`` table, and indicators over it.

The indicator modules (``sql``, ``indicators``, ``hotspots``, ``chpl``) build dialect-neutral
SQL and import no database driver; ``report`` renders HTML from their typed results.
"""
