"""Forms of the topics app, one module per page family."""
