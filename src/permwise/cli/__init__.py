"""The command line: thin verbs over the library layers (one module per verb)."""
