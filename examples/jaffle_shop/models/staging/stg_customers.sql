select
    id as customer_id,
    first_name,
    last_name,
    note,
    lifetime_credit,
    signup_at
from {{ ref('raw_customers') }}
