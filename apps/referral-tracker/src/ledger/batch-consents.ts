import type { Consent } from '@passerelle/contracts';
import type { ConsentWrite, LedgerChanges } from './ledger-changes';
import { inScope, uuidKey } from './ledger-keys';
import type { DateColumnReader, LoadedConsent, StoredConsent } from './ledger-rows';

interface ConsentState extends StoredConsent {
  grantedAtText: string;
  expiresOnText: string | null;
  withdrawnAtText: string | null;
  snapshot: string | null;
}

/** A batch's consents, answered as the consent upsert leaves them, for {@link LedgerBatch}. */
export class BatchConsents {
  private readonly consents = new Map<string, ConsentState>();
  private readonly changed = new Set<string>();

  constructor(
    private readonly scope: ReadonlySet<string>,
    loaded: readonly LoadedConsent[],
    private readonly readDate: DateColumnReader,
  ) {
    for (const c of loaded) {
      this.consents.set(c.consentId, {
        ...c,
        expiresOn: c.expiresOn === null ? null : readDate(c.expiresOn),
        grantedAtText: c.grantedAt.toISOString(),
        expiresOnText: c.expiresOn,
        withdrawnAtText: c.withdrawnAt?.toISOString() ?? null,
        snapshot: null,
      });
    }
  }

  save(consent: Consent): void {
    const key = uuidKey(consent.consentId);
    const current = this.row(consent.consentId);
    const withdrawnAtText = current?.withdrawnAtText ?? consent.withdrawnAt ?? null;
    this.consents.set(key, {
      consentId: key,
      // Kept from the first record of the consent, as the upsert leaves them.
      clientId: current?.clientId ?? uuidKey(consent.clientId),
      grantedAt: current?.grantedAt ?? new Date(consent.grantedAt),
      grantedAtText: current?.grantedAtText ?? consent.grantedAt,
      purpose: consent.purpose,
      recipients: [...consent.recipients],
      expiresOn: consent.expiresOn === undefined ? null : this.readDate(consent.expiresOn),
      expiresOnText: consent.expiresOn ?? null,
      withdrawnAt: current?.withdrawnAt ?? (consent.withdrawnAt === undefined ? null : new Date(consent.withdrawnAt)),
      withdrawnAtText,
      snapshot: JSON.stringify(consent),
    });
    this.changed.add(key);
  }

  consent(consentId: string): StoredConsent | undefined {
    const row = this.row(consentId);
    if (!row) return undefined;
    return {
      consentId: row.consentId,
      clientId: row.clientId,
      purpose: row.purpose,
      recipients: row.recipients,
      grantedAt: row.grantedAt,
      expiresOn: row.expiresOn,
      withdrawnAt: row.withdrawnAt,
    };
  }

  /** The consent statement of the batch's changes. */
  changes(): Pick<LedgerChanges, 'consents'> {
    const consents: ConsentWrite[] = [];
    for (const key of this.changed) {
      const c = this.consents.get(key);
      // Only saved rows are in `changed`, and a saved row has its snapshot.
      if (c === undefined || c.snapshot === null) continue;
      consents.push({
        consentId: c.consentId,
        clientId: c.clientId,
        purpose: c.purpose,
        recipients: c.recipients,
        grantedAt: c.grantedAtText,
        expiresOn: c.expiresOnText,
        withdrawnAt: c.withdrawnAtText,
        snapshot: c.snapshot,
      });
    }
    return { consents };
  }

  private row(consentId: string): ConsentState | undefined {
    return this.consents.get(inScope('consent', consentId, this.scope, this.consents));
  }
}
