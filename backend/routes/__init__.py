"""HTTP routers, one per concern; the work is in plain functions elsewhere."""
