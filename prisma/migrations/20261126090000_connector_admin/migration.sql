-- Connector administration: which key is deployed (its public hint) and since when. The key itself is
-- never stored, only its sha256 (api_key_hash); rotating replaces the hash, so the old key is revoked.
ALTER TABLE "connector" ADD COLUMN "api_key_hint" TEXT;
ALTER TABLE "connector" ADD COLUMN "api_key_issued_at" TIMESTAMPTZ(3);
