"""Organiser and admin views across all enterprises, needs, profiles and accounts."""
