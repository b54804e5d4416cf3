"""Loading the knowledge files, one module per kind of content; `Reader` holds what they share."""
