-- Open exceptions by status, plant and interface, covering every other column the queue can filter on
-- without an index of its own (severity, category, first seen, assignee): the queue counts open exceptions
-- exactly, status by status, index-only, as many as there are (server/exceptions/queue.ts countByStatus;
-- bench/queue.ts). Queries state the predicate as status NOT IN ('RESOLVED', 'DISCARDED') to use it; the
-- queue's page query compares status as text and so does not (see 20261124110000_queue_search_indexes).
CREATE INDEX "exception_open_count_idx" ON "exception" ("status", "plant_id", "interface_id") INCLUDE ("severity", "category", "first_seen_at", "assignee_id")
  WHERE "status" NOT IN ('RESOLVED', 'DISCARDED');
