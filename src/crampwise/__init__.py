"""crampwise: evidence-graded help for night leg cramps."""

__version__ = "0.1.0"
