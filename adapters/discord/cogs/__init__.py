"""One cog per feature; each listener is a few guard clauses and one call into the core."""
