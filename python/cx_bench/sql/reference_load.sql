-- The pure-DuckDB reference's first step: read the eight extracts into tables,
-- every column as text. `cx-bench pipeline` also times it alone: the least any build
-- that reads full snapshots of the extracts must spend. {dir} is the extracts
-- folder, as a SQL string literal.
create table contacts_raw as select * from read_csv({dir} || '/crm/contacts.csv', header = true, all_varchar = true);
create table orders_raw as select * from read_csv({dir} || '/crm/orders.csv', header = true, all_varchar = true);
create table activities_raw as select * from read_csv({dir} || '/crm/activities.csv', header = true, all_varchar = true);
create table users_raw as select * from read_csv({dir} || '/support/users.csv', header = true, all_varchar = true);
create table tickets_raw as select * from read_csv({dir} || '/support/tickets.csv', header = true, all_varchar = true);
create table events_raw as select * from read_csv({dir} || '/support/ticket_events.csv', header = true, all_varchar = true);
create table surveys_raw as select * from read_csv({dir} || '/survey/surveys.csv', header = true, all_varchar = true);
create table responses_raw as select * from read_csv({dir} || '/survey/responses.csv', header = true, all_varchar = true);
