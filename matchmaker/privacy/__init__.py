"""A user's own personal information: see it, download it, erase it (PIPL)."""
