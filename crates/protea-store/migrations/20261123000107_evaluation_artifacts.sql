-- Where an evaluation result's output files live (a URI of the artifact store, e.g.
-- file:///var/lib/protea/artifacts/<result id>); NULL when nothing was written.
alter table evaluation_result add column artifacts_uri varchar;
