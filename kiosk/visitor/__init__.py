"""The visitor path's storage: submissions once per UUID, offline replay, service worker, demo."""
