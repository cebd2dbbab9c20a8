-- The application's database role. In production the portal connects as a login role that is a member
-- of andon_app and runs every query as andon_app (ANDON_DB_ROLE, see README "Database roles"): it may
-- read and write the operational tables, but only INSERT and SELECT the audit trail — UPDATE, DELETE
-- and TRUNCATE are refused by privileges, on top of the triggers that refuse them for every role.
-- Creating a role needs CREATEROLE: without it this migration only says so (create the role, then
-- re-run the grants below by hand).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'andon_app') THEN
    CREATE ROLE andon_app NOLOGIN;
  END IF;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE NOTICE 'role andon_app was not created (the migrating role lacks CREATEROLE)';
END $$;

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'andon_app') THEN
    EXECUTE 'GRANT USAGE ON SCHEMA public TO andon_app';
    EXECUTE 'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO andon_app';
    EXECUTE 'REVOKE UPDATE, DELETE, TRUNCATE ON "audit_event" FROM andon_app';
    EXECUTE 'REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON "_prisma_migrations" FROM andon_app';
    EXECUTE 'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO andon_app';
    EXECUTE 'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO andon_app';
    -- Tables later migrations create (as this same migrating role) get the same grants.
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO andon_app';
    EXECUTE 'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO andon_app';
  END IF;
END $$;

-- Day partitions of telemetry are created by a job through this function: it runs with its owner's
-- rights (the migrating role owns telemetry_event), so the application role needs no DDL rights.
ALTER FUNCTION "andon_ensure_telemetry_partitions"(DATE, DATE) SECURITY DEFINER SET search_path = public;
