{% snapshot customers_snapshot %}
{{
  config(
    unique_key='customer_id',
    strategy='check',
    check_cols=['number_of_orders', 'lifetime_value'],
    target_schema=target.schema
  )
}}
-- History of each customer's order count and value: one row per change.
select customer_id, number_of_orders, lifetime_value from {{ ref('customers') }}
{% endsnapshot %}
