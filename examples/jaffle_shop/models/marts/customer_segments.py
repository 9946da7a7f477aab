"""A Python model in the middle of the DAG: SQL (customers) -> Python -> SQL (segment_summary)."""

import pyspark.sql.functions as F


def model(dbt, session):
    dbt.config(materialized="table")
    threshold = dbt.config.get("high_value_threshold", 50)

    customers = dbt.ref("customers")
    return customers.select(
        "customer_id",
        "number_of_orders",
        F.coalesce(F.col("lifetime_value"), F.lit(0)).alias("lifetime_value"),
        F.when(F.col("lifetime_value") >= threshold, "high")
        .when(F.col("number_of_orders") > 0, "regular")
        .otherwise("prospect")
        .alias("segment"),
    )
