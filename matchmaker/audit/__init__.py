"""Append-only audit log of security-relevant actions (PIPL accountability)."""
