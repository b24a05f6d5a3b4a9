"""`python -m matchmaker` runs the command line."""

from matchmaker.cli import app

app(prog_name="matchmaker")
