"""Text processing shared by search, the articles pipeline and the crisis detector."""
