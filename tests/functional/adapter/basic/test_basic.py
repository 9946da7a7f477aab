from dbt.tests.adapter.basic.test_base import BaseSimpleMaterializations
from dbt.tests.adapter.basic.test_ephemeral import BaseEphemeral


class TestSimpleMaterializations(BaseSimpleMaterializations):
    pass


class TestEphemeral(BaseEphemeral):
    pass
