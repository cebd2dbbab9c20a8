-- socket.io cluster adapter (@socket.io/postgres-adapter): events reach the sockets of every instance
-- by NOTIFY; payloads over 8 kB travel through this table (rows older than 30 s are deleted by the
-- adapter). Not part of the Prisma schema: only the adapter reads and writes it.
CREATE TABLE IF NOT EXISTS "socket_io_attachments" (
    "id" BIGSERIAL UNIQUE,
    "created_at" TIMESTAMPTZ DEFAULT NOW(),
    "payload" BYTEA
);

DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'andon_app') THEN
    GRANT SELECT, INSERT, DELETE ON "socket_io_attachments" TO andon_app;
    GRANT USAGE, SELECT ON SEQUENCE "socket_io_attachments_id_seq" TO andon_app;
  END IF;
END $$;
