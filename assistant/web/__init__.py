"""The chat page (Gradio). Imports the chain; the chain never imports this."""
