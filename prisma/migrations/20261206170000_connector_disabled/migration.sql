-- An administrator can take a connector out of service (decommissioned, a test one): its key is refused,
-- it raises no "silent" alert and leaves the dashboards' connector health until it is enabled again.
ALTER TABLE "connector" ADD COLUMN "disabled_at" TIMESTAMPTZ(3);
