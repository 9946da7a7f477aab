{{
  config(
    materialized='incremental',
    incremental_strategy='insert_overwrite',
    partition_by=['order_date'],
    on_schema_change='append_new_columns'
  )
}}

-- Each run rewrites only the days it selects: the latest days on an incremental run.
select
    order_id_count,
    revenue,
    order_date
from (
    select
        order_date,
        count(order_id) as order_id_count,
        sum(amount) as revenue
    from {{ ref('orders') }}
    {% if is_incremental() %}
    where order_date >= (select date_sub(max(order_date), 3) from {{ this }})
    {% endif %}
    group by order_date
)
