import { Injectable } from '@nestjs/common';
import type { Principal } from '@passerelle/auth';
import { AuditLog, ClientLinkRegistry, type ConflictPageQuery } from '@passerelle/persistence';
import { encodeConflictCursor } from './conflict-query';
import { linkConflictView, type LinkConflictPage } from './link-conflict-view';

/**
 * `GET /v1/clients/conflicts`: the identity-link conflicts the caller is involved in, newest
 * first; none for anyone else. Source ids are personal data: each conflict read is audited first.
 */
@Injectable()
export class ListLinkConflicts {
  constructor(
    private readonly links: ClientLinkRegistry,
    private readonly audit: AuditLog,
  ) {}

  async execute(caller: Principal, query: ConflictPageQuery): Promise<LinkConflictPage> {
    const { conflicts, more } = await this.links.conflictsOf(caller.org, query);
    await this.audit.append(
      conflicts.map((c) => ({
        org: caller.org,
        subject: caller.subject,
        action: 'read' as const,
        resource: `client-link-conflict/${c.conflictId}`,
        purpose: 'identity-link',
        clientId: c.clientId,
      })),
    );
    const last = conflicts.at(-1);
    return {
      items: conflicts.map(linkConflictView),
      ...(more && last && { next: encodeConflictCursor(last) }),
    };
  }
}
