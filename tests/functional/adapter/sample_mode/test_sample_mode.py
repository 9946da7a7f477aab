"""`--sample` runs (dbt.tests.adapter.sample_mode, and the Python model's sample suite): a ref to a
model with an `event_time` reads only the rows in the sample window."""

import pytest
from dbt.tests.adapter.python_model.test_python_model import BasePythonSampleTests
from dbt.tests.adapter.sample_mode.test_sample_mode import BaseSampleModeTest

# Tables with a filter on read: nothing here depends on the table format.
pytestmark = pytest.mark.delta


class TestSampleMode(BaseSampleModeTest):
    pass


class TestPythonSample(BasePythonSampleTests):
    """A Python model (`submission_method: session` is session mode's default) reads its refs
    without the sample filter: the suite expects all three rows in both runs."""
