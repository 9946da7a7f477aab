{{
  config(
    materialized='incremental',
    unique_key='customer_id',
    merge_update_columns=['number_of_orders', 'last_order_date', 'updated_at']
  )
}}

-- A merge incremental (the default strategy when a unique_key is set, as on Databricks): each
-- run updates the customers it selects and inserts new ones.
select
    customer_id,
    number_of_orders,
    most_recent_order as last_order_date,
    current_timestamp() as updated_at
from {{ ref('customers') }}
