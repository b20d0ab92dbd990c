-- The pure-DuckDB reference's first step: how it reads the eight extracts.
-- Views over DuckDB's CSV reader, every column as text, so each file is read
-- once, straight into the cleaning step that needs it (no raw copy written to
-- disk and read back); text because numbers are parsed strictly from their
-- text there (reference_pipeline.sql). `cx-bench pipeline` also times reading
-- them alone: the least any build that reads full snapshots must spend. {dir}
-- is the extracts folder, as a SQL string literal.
create view contacts_raw as select * from read_csv({dir} || '/crm/contacts.csv', header = true, all_varchar = true);
create view orders_raw as select * from read_csv({dir} || '/crm/orders.csv', header = true, all_varchar = true);
create view activities_raw as select * from read_csv({dir} || '/crm/activities.csv', header = true, all_varchar = true);
create view users_raw as select * from read_csv({dir} || '/support/users.csv', header = true, all_varchar = true);
create view tickets_raw as select * from read_csv({dir} || '/support/tickets.csv', header = true, all_varchar = true);
create view events_raw as select * from read_csv({dir} || '/support/ticket_events.csv', header = true, all_varchar = true);
create view surveys_raw as select * from read_csv({dir} || '/survey/surveys.csv', header = true, all_varchar = true);
create view responses_raw as select * from read_csv({dir} || '/survey/responses.csv', header = true, all_varchar = true);
