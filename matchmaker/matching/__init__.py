"""The matching engine; importable and testable without the web app."""
