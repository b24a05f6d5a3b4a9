"""matchmaker: supply-chain matchmaking between large enterprises and SMEs."""

__version__ = "0.1.0"
