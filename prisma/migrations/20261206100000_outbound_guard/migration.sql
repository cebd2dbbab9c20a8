-- Outbound requests (push replays, alert webhooks) refuse private, loopback and link-local destinations
-- unless an administrator allows them for that connector or webhook. Existing rows are not allowed:
-- a connector whose endpoint is on a private network needs an administrator to set the flag.
ALTER TABLE "connector" ADD COLUMN "replay_allow_private" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "alert_webhook" ADD COLUMN "allow_private" BOOLEAN NOT NULL DEFAULT false;
