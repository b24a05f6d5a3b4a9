"""Full-text search over open needs with filters and counts per filter value."""
