import type { Kafka } from 'kafkajs';
import {
  dataDir,
  type CloudEvent,
  type ContractEventType,
  type EoServiceRecord,
  type OdspEmploymentRecord,
  type OwCaseRecord,
} from '@passerelle/contracts';
import { EventPublisher, TopicNames, canonicalEvent } from '@passerelle/messaging';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Gateway } from './gateway-calls';
import { adapterDone, deadLetters, drained } from './pipeline-backlog';
import { providerRecords, referrerRecords } from './source-records';
import type { Story } from './story';

/**
 * Sends a province's stories through the real pipeline, the way each network would: OW delivery
 * agents and ODSP offices upload their records to the gateway's bulk endpoints with their own
 * token; EO providers produce their records to their raw topic (DESIGN.md: "or produce EO records
 * straight to Kafka"); providers learn which referrals reached them from their inbox
 * (`GET /v1/provider/referrals`). Three phases, each waiting until the adapters and the tracker
 * have applied everything (their consumer groups have no lag): referrals, then the providers'
 * answers, then services, jobs, follow-ups and the referrers' own outcomes — so every answer
 * finds its referral routed, and every service its referral accepted, as in real life.
 */

export interface SeedTarget {
  kafka: Kafka;
  topicPrefix: string;
  /** Base URL of the gateway, e.g. `http://127.0.0.1:3000`. */
  gateway: string;
  /** A bearer token for an organization (development key). */
  token(org: string, scopes: string[]): Promise<string>;
  /** How long one phase may wait for the pipeline (default 15 minutes). */
  drainTimeoutMs?: number;
}

export interface SeedProgress {
  phase: 1 | 2 | 3;
  label: string;
  /** Records sent in this phase so far, of `total`. */
  sent: number;
  total: number;
  /** Events still waiting in the pipeline's consumer groups (once everything is sent). */
  backlog?: number;
}

export interface SeedResult {
  owCaseRecords: OwCaseRecord[];
  odspRecords: OdspEmploymentRecord[];
  eoRecords: EoServiceRecord[];
  /** Provider each referral was routed to, as the providers' inboxes showed. */
  routedTo: Map<string, string>;
  /** Records the adapters and the tracker sent to a dead-letter queue while seeding. */
  deadLettered: number;
}

/** Every provider of the directory (`eo:<id>`). */
export const directoryProviders = (): string[] =>
  (
    JSON.parse(readFileSync(join(dataDir(), 'provider-directory.json'), 'utf8')) as {
      providers: Array<{ id: string }>;
    }
  ).providers.map((p) => p.id);

const RAW = {
  eo: { topic: 'eo.service-records.v1', type: 'ca.on.passerelle.eo-service-record.received' },
} as const;

/** Records sent at once: an adapter's batch of this many stays far below the broker's 1 MB message size. */
const CHUNK = 100;

/** A raw source record as its network produces it: deterministic id, keyed by the source's own person id. */
function rawEvent<T extends { sourceRecordId: string; recordVersion: number; recordedAt: string }>(
  type: ContractEventType,
  system: string,
  record: T,
  personKey: string,
): CloudEvent<T> {
  return canonicalEvent({
    type,
    id: { sourceSystem: system, recordId: record.sourceRecordId, version: record.recordVersion },
    source: `/demo/${system}`,
    time: record.recordedAt,
    partitionkey: personKey,
    data: record,
  });
}

export async function seedProvince(
  stories: readonly Story[],
  target: SeedTarget,
  progress: (p: SeedProgress) => void = () => {},
): Promise<SeedResult> {
  const names = new TopicNames(target.topicPrefix);
  const publisher = new EventPublisher(target.kafka);
  const admin = target.kafka.admin();
  await admin.connect();
  const result: SeedResult = {
    owCaseRecords: [],
    odspRecords: [],
    eoRecords: [],
    routedTo: new Map(),
    deadLettered: 0,
  };
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (org: string, scopes: string[]): Promise<string> => {
    const key = `${org} ${scopes.join(' ')}`;
    let token = tokens.get(key);
    if (token === undefined) tokens.set(key, (token = target.token(org, scopes)));
    return token;
  };
  const http = new Gateway(target.gateway);
  try {
    const dlqBefore = await deadLetters(admin, names);
    const referrer = stories.map((s) => ({ story: s, ...referrerRecords(s) }));

    // 1. Referrals: every referrer's first record (consent, referral).
    const firstOw = referrer.flatMap((r) => r.owCaseRecords.slice(0, 1));
    const firstOdsp = referrer.flatMap((r) => r.odspRecords.slice(0, 1));
    await send(1, 'referrals', firstOw, firstOdsp, []);

    // 2. Answers: each provider reads its inbox, answers what reached it.
    for (const provider of directoryProviders()) {
      const token = await tokenOf(provider, ['provider:read']);
      for (let cursor: string | undefined, first = true; first || cursor !== undefined; first = false) {
        const page = (await http.json(
          `/v1/provider/referrals?status=requested&limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          token,
        )) as { items: Array<{ referralId: string; provider: string }>; next?: string };
        for (const item of page.items) result.routedTo.set(item.referralId, item.provider);
        cursor = page.next;
      }
    }
    const byProvider = stories.flatMap((s) => {
      const provider = result.routedTo.get(s.referralId);
      return provider === undefined ? [] : [{ story: s, ...providerRecords(s, provider) }];
    });
    await send(
      2,
      'answers',
      [],
      [],
      byProvider.flatMap((p) => (p.decision ? [p.decision] : [])),
    );

    // 3. Services, jobs, exits, follow-ups, and the referrers' own outcomes and withdrawals.
    await send(
      3,
      'services and outcomes',
      referrer.flatMap((r) => r.owCaseRecords.slice(1)),
      referrer.flatMap((r) => r.odspRecords.slice(1)),
      byProvider.flatMap((p) => p.later),
    );
    result.deadLettered = (await deadLetters(admin, names)) - dlqBefore;
    return result;
  } finally {
    await publisher.disconnect();
    await admin.disconnect();
  }

  async function send(
    phase: 1 | 2 | 3,
    label: string,
    ow: OwCaseRecord[],
    odsp: OdspEmploymentRecord[],
    eo: EoServiceRecord[],
  ): Promise<void> {
    const total = ow.length + odsp.length + eo.length;
    let sent = 0;
    const step = (n: number): void => {
      sent += n;
      progress({ phase, label, sent, total });
    };
    progress({ phase, label, sent, total });
    // Paced: a chunk at a time, the next once the adapter has taken the last. An adapter
    // publishes a whole fetched batch's events in one request, and a large enough batch goes over
    // the broker's message size (then the adapter's idempotent producer fails every later send).
    for (const [agent, records] of groupBy(ow, (r) => r.deliveryAgent.code)) {
      const token = await tokenOf(`ow:${agent}`, ['case-records:write']);
      for (const chunk of chunks(records)) {
        await http.bulk(token, chunk);
        await adapterDone(admin, names, target.topicPrefix, 'ow-adapter');
        step(chunk.length);
      }
    }
    for (const [office, records] of groupBy(odsp, (r) => r.office.code)) {
      const token = await tokenOf(`odsp:${office}`, ['case-records:write']);
      for (const chunk of chunks(records)) {
        await http.bulk(token, chunk, '/v1/odsp/employment-records:batch');
        await adapterDone(admin, names, target.topicPrefix, 'ow-adapter');
        step(chunk.length);
      }
    }
    for (const chunk of chunks(eo)) {
      await publisher.publish(
        names.of(RAW.eo.topic),
        chunk.map((r) => rawEvent(RAW.eo.type, `cams:${r.provider.providerId}`, r, r.personal.clientReferenceNumber)),
      );
      await adapterDone(admin, names, target.topicPrefix, 'eo-adapter');
      step(chunk.length);
    }
    result.owCaseRecords.push(...ow);
    result.odspRecords.push(...odsp);
    result.eoRecords.push(...eo);
    await drained(admin, names, target.topicPrefix, target.drainTimeoutMs ?? 15 * 60_000, (backlog) =>
      progress({ phase, label, sent, total, backlog }),
    );
  }
}

const groupBy = <T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> => {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
};
const chunks = <T>(items: readonly T[]): T[][] =>
  Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK));
