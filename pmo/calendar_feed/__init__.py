"""Each person's private iCalendar feed per organisation: the token, the sources apps fill, the feed."""
