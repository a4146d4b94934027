-- A setup is in a segment only once its rule has become true: entered_at is set and never
-- after as_of. Returns the offending rows.
select
    friction_segment_id,
    account_id,
    integration_type,
    segment,
    entered_at,
    as_of
from {{ ref('friction_segments') }}
where
    entered_at is null
    or entered_at > as_of
