"""The Baton Bank demo workspace: content (pure data) and seeding (through real actions)."""
