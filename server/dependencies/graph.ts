/**
 * The dependency catalog as a graph of interfaces (pure: no database). An edge prerequisite → dependent
 * means "a message of the dependent interface waits while a message of the prerequisite about the same
 * business object has an open exception". The catalog must stay acyclic: otherwise two exceptions could
 * each wait on the other forever, and "dependency order" would mean nothing.
 */
export type Edge = { prerequisite: string; dependent: string };

/**
 * The path that adding `edge` would close into a cycle (dependent ⇝ … ⇝ prerequisite, then back to the
 * dependent), as interface ids from the edge's dependent to its prerequisite; null when it closes none.
 * `edges` are the catalog's other edges (the edited one excluded); disabled edges count too: enabling
 * one later must not be the step that creates a cycle.
 */
export function cycleThrough(edges: readonly Edge[], edge: Edge): string[] | null {
  if (edge.prerequisite === edge.dependent) return [edge.dependent];
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.prerequisite, [...(next.get(e.prerequisite) ?? []), e.dependent]);
  // Breadth-first from the new edge's dependent: can it reach the new edge's prerequisite?
  const cameFrom = new Map<string, string | null>([[edge.dependent, null]]);
  const queue = [edge.dependent];
  while (queue.length) {
    const at = queue.shift()!;
    if (at === edge.prerequisite) {
      const path: string[] = [];
      for (let n: string | null = at; n !== null; n = cameFrom.get(n)!) path.unshift(n);
      return path;
    }
    for (const to of next.get(at) ?? []) {
      if (cameFrom.has(to)) continue;
      cameFrom.set(to, at);
      queue.push(to);
    }
  }
  return null;
}

/**
 * Each interface's depth in the (acyclic) catalog: 0 for one with no prerequisite, else one more than
 * its deepest prerequisite. Sorting by depth puts every prerequisite before its dependents ("dependency
 * order"); interfaces outside the catalog are 0. Should a cycle slip in (the catalog refuses them), its
 * members keep the depth reached before the cycle, so the function always ends.
 */
export function depths(edges: readonly Edge[]): Map<string, number> {
  const depth = new Map<string, number>();
  const nodes = new Set(edges.flatMap((e) => [e.prerequisite, e.dependent]));
  for (const n of nodes) depth.set(n, 0);
  // Bellman-Ford style relaxation, at most |nodes| rounds.
  for (let round = 0; round < nodes.size; round++) {
    let changed = false;
    for (const e of edges) {
      const d = depth.get(e.prerequisite)! + 1;
      if (d > depth.get(e.dependent)!) {
        depth.set(e.dependent, d);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return depth;
}
