"""The change log: every write to a need, profile or enterprise appends a row in the same
transaction, so derived state (the matching index today, search engines later) can catch up
from where it stopped without missing an update."""
