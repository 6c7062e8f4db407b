import { Injectable, Logger } from '@nestjs/common';
import { PersonalDataVault } from '@passerelle/crypto';
import { AuditLog } from '@passerelle/persistence';
import { problem } from '../problem/problem';
import { ErasureErrorCode } from './erase-client.error';
import { ClientErasureRepository } from './erase-client.repository';

/**
 * Crypto-shredding of one client: its data key is destroyed (a tombstone stays, so no key is ever
 * created for it again), which makes every sealed copy of its personal data unreadable wherever it
 * went (every topic, backups); the ledger's and links' clear copies are purged. Events about the
 * client go on, without `personal`. Idempotent: erasing an erased client changes nothing.
 */
@Injectable()
export class ClientErasure {
  private readonly logger = new Logger(ClientErasure.name);

  constructor(
    private readonly vault: PersonalDataVault,
    private readonly repository: ClientErasureRepository,
    private readonly audit: AuditLog,
  ) {}

  /** Erases the client on behalf of `org` (already known to be entitled), audited. */
  async erase(org: string, subject: string, clientId: string, purpose: string): Promise<void> {
    const { newlyErased } = await this.vault.erase(clientId);
    await this.repository.purge(clientId);
    await this.audit.append([
      { org, subject, action: 'write', resource: `client/${clientId}/personal`, purpose, clientId },
    ]);
    if (newlyErased) this.logger.log(`client ${clientId} erased (${purpose}) by ${org}`);
  }
}

/**
 * `POST /v1/clients/{clientId}/erase`: a referrer asks that its client's personal data be erased.
 * Only an organization that referred the client may; for any other the client does not exist (404).
 */
@Injectable()
export class EraseClient {
  constructor(
    private readonly repository: ClientErasureRepository,
    private readonly erasure: ClientErasure,
  ) {}

  async execute(referrer: string, subject: string, clientId: string): Promise<void> {
    if (!(await this.repository.referredBy(referrer, clientId)))
      throw problem(404, 'no such client', { code: ErasureErrorCode.ClientNotFound });
    await this.erasure.erase(referrer, subject, clientId, 'erasure-request');
  }
}
