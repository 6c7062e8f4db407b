import { Injectable } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { ClientLinkRegistry, type ConflictDecision, type LinkConflict } from '@passerelle/persistence';
import { IdempotentAnswer } from '../idempotency/idempotent-answer';
import { problem } from '../problem/problem';
import { ClientLinkErrorCode } from './client-link.error';
import { linkConflictView, type LinkConflictResolution, type LinkConflictView } from './link-conflict-view';

/**
 * `POST /v1/clients/conflicts/{conflictId}/resolve`: a person of an organization involved links
 * the two clients under one of them, or keeps them apart; once (`409` after). Another
 * organization's conflict is `404`, like a missing one; a client that is not one of the two is
 * `422` naming `/clientId`. The decision is audited with the kept answer.
 */
@Injectable()
export class ResolveLinkConflict {
  constructor(private readonly links: ClientLinkRegistry) {}

  async execute(
    caller: Principal,
    conflictId: string,
    body: LinkConflictResolution,
  ): Promise<IdempotentAnswer<LinkConflictView>> {
    const conflict = await this.links.conflictOf(caller.org, conflictId);
    if (!conflict) throw notFound();
    const decision = decisionOf(conflict, body);
    if (conflict.resolution !== null) throw alreadyResolved(conflict);
    const result = await this.links.resolveConflict(conflictId, decision, caller.org);
    if (result.outcome === 'not-found') throw notFound();
    if (result.outcome === 'already-resolved') throw alreadyResolved(result.conflict);
    const resolved = result.conflict;
    return new IdempotentAnswer(linkConflictView(resolved), {
      effects: {
        audit: [
          {
            org: caller.org,
            subject: caller.subject,
            action: 'write',
            resource: `client-link-conflict/${conflictId}`,
            purpose: 'identity-link',
            clientId: resolved.resolvedTo ?? resolved.clientId,
          },
        ],
      },
    });
  }
}

/** The decision the body asks for, checked against the conflict: a problem naming `/clientId` otherwise. */
export function decisionOf(conflict: LinkConflict, body: LinkConflictResolution): ConflictDecision {
  if (body.resolution === 'keep-apart') {
    if (body.clientId !== undefined) throw notCandidate('only with resolution link');
    return { resolution: 'kept-apart' };
  }
  const clientId = body.clientId?.toLowerCase();
  if (clientId === undefined || (clientId !== conflict.clientId && clientId !== conflict.conflictingClientId))
    throw notCandidate("is not one of the conflict's two clients");
  return { resolution: 'linked', clientId };
}

function notFound() {
  return problem(404, 'no such link conflict', { code: ClientLinkErrorCode.ConflictNotFound });
}

function alreadyResolved(conflict: LinkConflict) {
  return problem(
    409,
    `the conflict was already resolved (${conflict.resolution ?? ''}) by ${conflict.resolvedBy ?? ''} on ${conflict.resolvedAt?.toISOString() ?? ''}`,
    { code: ClientLinkErrorCode.AlreadyResolved },
  );
}

function notCandidate(message: string) {
  return problem(422, 'the client to link under must be one of the two clients of the conflict', {
    code: ClientLinkErrorCode.ClientNotCandidate,
    errors: [{ pointer: '/clientId', code: 'not-a-candidate', message }],
  });
}
