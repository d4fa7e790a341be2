"""Request and response bodies of the assessments routes."""
