-- Seed values with quotes, backslashes, %, ${...}, newlines, tabs and unicode load unchanged.
select * from {{ ref('stg_customers') }}
where (customer_id = 2 and note != 'quote \' and "double" quotes')
   or (customer_id = 3 and note != 'back\\slash \\n not a newline')
   or (customer_id = 4 and note != '100% sure, \u0024{env:HOME} stays')
   or (customer_id = 5 and note != 'line one\nline two')
   or (customer_id = 6 and note != 'tab\there ? and :name')
   or (customer_id = 7 and note != 'Zoë Ñúñez 東京 🚀')
   or (customer_id = 2 and last_name != 'O\'Brien')
   or (customer_id = 7 and lifetime_credit != 99999999999999999999999999.9999999999)
