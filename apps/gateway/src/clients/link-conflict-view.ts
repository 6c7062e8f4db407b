import type { components } from '@passerelle/contracts';
import type { LinkConflict } from '@passerelle/persistence';

export type LinkConflictView = components['schemas']['LinkConflict'];
export type LinkConflictPage = components['schemas']['LinkConflictPage'];
export type LinkConflictResolution = components['schemas']['LinkConflictResolution'];

/** A conflict as an organization involved reads it: the two clients, the ids in conflict, where it stands. */
export function linkConflictView(conflict: LinkConflict): LinkConflictView {
  return {
    conflictId: conflict.conflictId,
    clientIds: [conflict.clientId, conflict.conflictingClientId],
    sourceIds: conflict.identities.map((i) => ({
      system: i.system as LinkConflictView['sourceIds'][number]['system'],
      sourceId: i.id,
      clientId: i.clientId,
    })),
    source: {
      system: conflict.source.system as LinkConflictView['source']['system'],
      recordId: conflict.source.recordId,
    },
    detectedAt: conflict.detectedAt,
    status: conflict.resolution ?? 'open',
    ...(conflict.resolvedTo !== null && { resolvedTo: conflict.resolvedTo }),
    ...(conflict.resolvedBy !== null && { resolvedBy: conflict.resolvedBy }),
    ...(conflict.resolvedAt !== null && { resolvedAt: conflict.resolvedAt.toISOString() }),
  };
}
