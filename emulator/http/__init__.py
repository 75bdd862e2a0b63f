"""The aiohttp side: the app factory, the per-route layer, routing, limits, the access log and strict authentication."""
