"""The hub at the Stadthaus (ROLE = "hub"): site tokens, received reports, heartbeats, status."""
