{{ config(materialized='incremental', incremental_strategy='append') }}

-- An append-only log: each run adds the orders it has not seen yet.
select order_id, customer_id, status, order_date
from {{ ref('orders') }}
{% if is_incremental() %}
where order_id > (select coalesce(max(order_id), 0) from {{ this }})
{% endif %}
