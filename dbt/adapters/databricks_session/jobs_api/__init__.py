"""Jobs API Python-model submissions from a `method: session` profile.

See docs/python-models.md.
"""
