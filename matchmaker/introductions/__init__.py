"""Answers and invitations: how a need and an SME profile get introduced."""
