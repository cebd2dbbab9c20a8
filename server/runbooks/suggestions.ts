import { pool } from "../db";

export const SUGGESTION_WINDOW = { days: 90, exceptions: 5000 } as const;

export type Suggestion = {
  kind: "corrected_field" | "replayed_as_is" | "discarded" | "recovered_at_source";
  /** The JSON-patch path (array positions as *) for a corrected field, the reason of a discard. */
  detail: string | null;
  count: number;
  /** The latest earlier exception this happened to. */
  exampleId: string;
};

export type Suggestions = { basis: "group" | "code" | null; considered: number; items: Suggestion[] };

/**
 * "What fixed it before": how earlier members of the same failure group (same fingerprint) were closed,
 * else — when the group has no closed member — earlier failures with the same error code at the
 * plant; within the user's plants, the last 90 days and at most the 5,000 latest. Counted by: a corrected
 * field (each JSON-patch path the delivered correction changed, array positions folded to *), replayed as
 * is, discarded (by reason), recovered at the source. One set-based query.
 */
export async function whatFixedItBefore(
  e: { id: string; fingerprint: string; errorCode: string; plantId: string },
  plantIds: string[] | null,
): Promise<Suggestions> {
  const { rows } = await pool().query<{
    basis: "group" | "code";
    considered: string;
    kind: Suggestion["kind"];
    detail: string | null;
    n: string;
    example: string;
  }>(
    `WITH pool AS (
       SELECT x.id, x.status, x.resolution, x.resolved_at, x.fingerprint = $2 AS same_group
       FROM exception x
       WHERE x.id <> $1::uuid AND x.created_at > now() - make_interval(days => $6::int)
         AND x.status IN ('RESOLVED', 'DISCARDED')
         AND (x.fingerprint = $2 OR (x.error_code = $3 AND x.plant_id = $4::uuid))
         AND ($5::uuid[] IS NULL OR x.plant_id = ANY($5::uuid[]))
       ORDER BY x.created_at DESC LIMIT $7
     ),
     basis AS (
       SELECT p.*, CASE WHEN bool_or(p.same_group) OVER () THEN 'group' ELSE 'code' END AS basis
       FROM pool p
     ),
     members AS (SELECT * FROM basis WHERE basis = 'code' OR same_group),
     outcomes AS (
       -- delivered by a replay of a correction: one row per changed path
       SELECT m.basis, m.id, m.resolved_at, 'corrected_field' AS kind, regexp_replace(op->>'path', '/[0-9]+(?=/|$)', '/*', 'g') AS detail
       FROM members m
       JOIN LATERAL (SELECT r.correction_id FROM replay r WHERE r.exception_id = m.id AND r.status = 'SUCCEEDED' ORDER BY r.finished_at DESC NULLS LAST LIMIT 1) r ON true
       JOIN correction c ON c.id = r.correction_id
       CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(c.patch) = 'array' THEN c.patch ELSE '[]'::jsonb END) op
       WHERE m.status = 'RESOLVED' AND m.resolution = 'replayed'
       UNION ALL
       SELECT m.basis, m.id, m.resolved_at, 'replayed_as_is', NULL
       FROM members m
       WHERE m.status = 'RESOLVED' AND m.resolution = 'replayed'
         AND EXISTS (SELECT 1 FROM replay r WHERE r.exception_id = m.id AND r.status = 'SUCCEEDED' AND r.correction_id IS NULL)
       UNION ALL
       SELECT m.basis, m.id, m.resolved_at, 'recovered_at_source', NULL FROM members m WHERE m.status = 'RESOLVED' AND m.resolution = 'recovered_at_source'
       UNION ALL
       SELECT m.basis, m.id, m.resolved_at, 'discarded',
              (SELECT a.data->>'reason' FROM audit_event a WHERE a.subject_type = 'exception' AND a.subject_id = m.id::text AND a.type = 'exception.discarded'
               ORDER BY a.id DESC LIMIT 1)
       FROM members m WHERE m.status = 'DISCARDED'
     )
     SELECT o.basis, (SELECT count(*) FROM members) AS considered, o.kind, o.detail, count(DISTINCT o.id) AS n,
            (array_agg(o.id::text ORDER BY o.resolved_at DESC NULLS LAST))[1] AS example
     FROM outcomes o GROUP BY o.basis, o.kind, o.detail
     ORDER BY count(DISTINCT o.id) DESC, o.kind, o.detail
     LIMIT 50`,
    [e.id, e.fingerprint, e.errorCode, e.plantId, plantIds, SUGGESTION_WINDOW.days, SUGGESTION_WINDOW.exceptions],
  );
  return {
    basis: rows[0]?.basis ?? null,
    considered: Number(rows[0]?.considered ?? 0),
    items: rows.map((r) => ({ kind: r.kind, detail: r.detail, count: Number(r.n), exampleId: r.example })),
  };
}
