"""Chinese education-policy assistant: answers from ingested documents, with clause citations."""
