-- The pure-DuckDB reference for `cx-bench pipeline`: the warehouse's core work written by
-- hand, no dbt. Load the eight extracts, clean them (UTC timestamps, normalised
-- keys, re-exports resolved, bad lines set aside), apply the contract's identity
-- rules, union the touchpoints, and compute NPS by month, support times and
-- historical value. Runs after reference_load.sql, which reads the extracts.
-- Each value is parsed once per line (in a subquery), then filtered on. The
-- cleaned extracts and the identity links are temporary tables (DuckDB keeps
-- them in memory and spills beyond its limit); the four results are written to
-- the database.
set timezone = 'UTC';

-- DuckDB's casts skip the spaces around a value: no trim needed for timestamps.
create macro utc(x) as timezone('UTC', try_cast(x as timestamptz));
-- Numbers are read from their text, as staging reads them: DuckDB's cast rounds
-- '9.5' to 10 and reads '1e1', '0x0A' and '1_0' as numbers.
create macro int_of(x) as
    case when regexp_full_match(trim(x), '-?[0-9]+') then try_cast(trim(x) as bigint) end;
create macro amount_of(x) as
    case when regexp_full_match(trim(x), '-?[0-9]+(\.[0-9]{1,2})?')
        then try_cast(trim(x) as decimal(18, 2)) end;

create temp table contacts as
select contact_id, email, country, segment, created_at, updated_at, is_deleted
from (
    select trim(contact_id) as contact_id, lower(trim(email)) as email,
           upper(trim(country)) as country, lower(trim(segment)) as segment,
           utc(created_at) as created_at, utc(updated_at) as updated_at,
           lower(trim(is_deleted)) = 'true' as is_deleted
    from contacts_raw
)
where updated_at is not null and segment in ('consumer', 'smb', 'enterprise')
qualify row_number() over (partition by contact_id order by updated_at desc) = 1;

create temp table orders as
select * from (
    select trim(order_id) as order_id, trim(contact_id) as contact_id,
           utc(ordered_at) as ordered_at, lower(trim(status)) as status,
           upper(trim(currency)) as currency, amount_of(amount) as amount
    from orders_raw
)
where ordered_at is not null and amount is not null;

create temp table activities as
select * from (
    select trim(activity_id) as activity_id, nullif(trim(contact_id), '') as contact_id,
           nullif(trim(anonymous_id), '') as anonymous_id, lower(trim(email)) as email,
           lower(trim(activity_type)) as activity_type, lower(trim(channel)) as channel,
           utc(occurred_at) as occurred_at
    from activities_raw
)
where occurred_at is not null;

create temp table users as
select * from (
    select int_of(user_id) as user_id, lower(trim(email)) as email,
           lower(trim(role)) as role, nullif(trim(external_id), '') as external_id
    from users_raw
)
where user_id is not null;

create temp table tickets as
select * from (
    select int_of(ticket_id) as ticket_id, int_of(requester_id) as requester_id,
           utc(created_at) as created_at, lower(trim(status)) as status,
           lower(trim(channel)) as channel
    from tickets_raw
)
where created_at is not null;

create temp table events as
select * from (
    select int_of(ticket_id) as ticket_id, int_of(author_id) as author_id,
           lower(trim(event_type)) as event_type, lower(trim(is_public)) = 'true' as is_public,
           lower(trim(status)) as status, utc(created_at) as created_at
    from events_raw
)
where created_at is not null;

create temp table responses as
select response_id, survey_id, status, email, contact_ref, ended_at, finished, nps_score
from (
    select trim(response_id) as response_id, trim(survey_id) as survey_id, status,
           lower(trim(recipient_email)) as email, nullif(trim(contact_ref), '') as contact_ref,
           utc(end_date) as ended_at, int_of(finished) = 1 as finished,
           nps_score is null as is_unscored, int_of(nps_score) as nps_score,
           utc(recorded_date) as recorded_at
    from responses_raw
)
where recorded_at is not null and (is_unscored or nps_score between 0 and 10)
qualify row_number() over (partition by response_id order by recorded_at desc) = 1;

create temp table live_contacts as select * from contacts where not is_deleted;
create temp table email_owners as
select email, min(contact_id) as customer_id from live_contacts
where email is not null group by email having count(*) = 1;
create temp table user_links as
select users.user_id, coalesce(by_id.contact_id, email_owners.customer_id) as customer_id
from users
left join live_contacts as by_id on users.external_id = by_id.contact_id
left join email_owners on users.external_id is null and users.email = email_owners.email
where users.role = 'end-user';
create temp table response_links as
select responses.response_id, coalesce(by_ref.contact_id, email_owners.customer_id) as customer_id
from responses
left join live_contacts as by_ref on responses.contact_ref = by_ref.contact_id
left join email_owners on responses.contact_ref is null and responses.email = email_owners.email;
create temp table device_links as
select anonymous_id, min(contact_id) as customer_id from activities
where contact_id is not null and anonymous_id is not null
group by anonymous_id having count(distinct contact_id) = 1;

create table touchpoints as
select 'crm_activity:' || activity_id as touchpoint_id,
       coalesce(activities.contact_id, device_links.customer_id) as customer_id,
       occurred_at, activity_type as touchpoint_type
from activities left join device_links using (anonymous_id)
union all
select 'crm_order:' || order_id, contact_id, ordered_at, 'purchase'
from orders where status != 'cancelled'
union all
select 'support_ticket:' || ticket_id, user_links.customer_id, created_at, 'support_ticket'
from tickets left join user_links on tickets.requester_id = user_links.user_id
union all
select 'survey_response:' || response_id, response_links.customer_id, ended_at, 'survey_response'
from responses left join response_links using (response_id)
where responses.status in ('IP Address', 'Imported');

create table nps_monthly as
select date_trunc('month', responses.ended_at) as month, count(*) as responses,
       100.0 * (count(*) filter (where nps_score >= 9) - count(*) filter (where nps_score <= 6))
       / count(*) as nps
from responses join surveys_raw using (survey_id)
where responses.status in ('IP Address', 'Imported') and responses.finished
  and surveys_raw.survey_type in ('relationship_nps', 'transactional_nps') and nps_score is not null
group by all;

create table support_times as
select tickets.ticket_id,
       date_diff('second', tickets.created_at, min(events.created_at) filter (
           where events.event_type = 'comment' and events.is_public
             and users.role in ('agent', 'admin'))) / 60.0 as first_reply_minutes,
       greatest(count(*) filter (where events.status = 'solved') - 1, 0) as reopens
from tickets
left join events using (ticket_id)
left join users on events.author_id = users.user_id
group by tickets.ticket_id, tickets.created_at;

create table historical_value as
select orders.contact_id as customer_id, count(*) as orders,
       sum(round(orders.amount * case orders.currency when 'EUR' then 1.085 when 'GBP' then 1.27 else 1 end, 2)) as revenue_usd
from orders join live_contacts using (contact_id)
where orders.status = 'completed'
group by all;
