select
    segment,
    count(*) as customers,
    sum(lifetime_value) as lifetime_value
from {{ ref('customer_segments') }}
group by segment
