// What a change of a CertificateOrderValidation's inputs means: pure, from its state and checked inputs.

/** A list compared as a set (the record names' order means nothing: reordered `domains` reorder them); other values as they are. */
function asSet(v: unknown): unknown {
  return Array.isArray(v) ? [...new Set(v.map(String))].sort() : (v ?? null);
}

/**
 * The diff of a validation: another order or instance replaces it; wait settings and record names
 * update it in place; an issued certificate whose CAS id was not found yet updates (update looks again).
 */
export function validationDiff(olds: Record<string, unknown>, news: Record<string, unknown>) {
  const replaces = [
    ...((olds.orderId ?? null) !== (news.orderId ?? null) ? ["orderId"] : []),
    ...((olds.instanceId ?? null) !== (news.instanceId ?? null) ? ["instanceId"] : []),
  ];
  // An issued certificate whose CAS id was not found yet: update looks again.
  const unlinked = typeof olds.certificatePem === "string" && olds.certificateId == null;
  const changes =
    replaces.length > 0 ||
    unlinked ||
    (
      ["timeoutMinutes", "pollIntervalSeconds", "maxPollIntervalSeconds", "validationRecordFqdns"] as const
    ).some((k) => JSON.stringify(asSet(olds[k])) !== JSON.stringify(asSet(news[k])) && news[k] !== undefined);
  // Create before delete: deleting a validation does nothing in CAS, and deleting it first would
  // make the engine delete its consumers (listeners, CDN domains) first too, dropping HTTPS
  // during a renewal or key rotation. Ids (`{orderId}-validation`) never collide.
  return { changes, replaces, deleteBeforeReplace: false };
}
