"""A firm's decisions on ranked candidates: shortlisted or dismissed with a reason."""
