"""Everything that touches pyspark. Nothing here imports pyspark at module import time."""
