import type { Admin, Kafka } from 'kafkajs';
import {
  dataDir,
  type CloudEvent,
  type ContractEventType,
  type ContractTopicName,
  type EoServiceRecord,
  type OdspEmploymentRecord,
  type OwCaseRecord,
} from '@passerelle/contracts';
import { EventPublisher, TopicNames, canonicalEvent } from '@passerelle/messaging';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { providerRecords, referrerRecords } from './source-records';
import type { Story } from './story';

/**
 * Sends a province's stories through the real pipeline, the way each network would: OW delivery
 * agents upload their case records to the gateway's bulk endpoint with their own token; ODSP
 * offices and EO providers produce their records to their raw topics (DESIGN.md: "or produce EO
 * records straight to Kafka"); providers learn which referrals reached them from their inbox
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

export class SeedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SeedError';
  }
}

const RAW = {
  odsp: { topic: 'odsp.employment-records.v1', type: 'ca.on.passerelle.odsp-employment-record.received' },
  eo: { topic: 'eo.service-records.v1', type: 'ca.on.passerelle.eo-service-record.received' },
} as const;

/** Consumer groups of the pipeline and the topics each reads (libs/runtime names them `<prefix>passerelle-<app>`). */
const PIPELINE: ReadonlyArray<readonly [string, readonly ContractTopicName[]]> = [
  ['ow-adapter', ['ow.case-records.v1', 'odsp.employment-records.v1']],
  ['eo-adapter', ['eo.service-records.v1']],
  ['referral-tracker', ['referrals.v1', 'service-events.v1', 'outcomes.v1', 'clients.v1']],
];
const CONSUMED = PIPELINE.flatMap(([, topics]) => topics);
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
    const providers = (
      JSON.parse(readFileSync(join(dataDir(), 'provider-directory.json'), 'utf8')) as {
        providers: Array<{ id: string }>;
      }
    ).providers.map((p) => p.id);
    for (const provider of providers) {
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
    for (const chunk of chunks(odsp)) {
      await publisher.publish(
        names.of(RAW.odsp.topic),
        chunk.map((r) => rawEvent(RAW.odsp.type, `odsp:${r.office.code}`, r, r.personal.memberId)),
      );
      await adapterDone(admin, names, target.topicPrefix, 'ow-adapter');
      step(chunk.length);
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

/** Waits until one adapter has committed everything on its topics (it is quick: the tracker is not waited for here). */
async function adapterDone(admin: Admin, names: TopicNames, prefix: string, app: string): Promise<void> {
  const deadline = Date.now() + 5 * 60_000;
  while ((await pipelineBacklog(admin, names, prefix, [app])) > 0) {
    if (Date.now() > deadline)
      throw new SeedError(`the ${app} has not taken the records sent 5 minutes ago: is it running (npm start)?`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Events the pipeline's consumer groups (or those of `apps`) have not committed yet, over every topic they read. */
export async function pipelineBacklog(
  admin: Admin,
  names: TopicNames,
  prefix: string,
  apps?: readonly string[],
): Promise<number> {
  let backlog = 0;
  for (const [app, topics] of PIPELINE.filter(([a]) => apps === undefined || apps.includes(a))) {
    const committed = await admin.fetchOffsets({
      groupId: `${prefix}passerelle-${app}`,
      topics: topics.map((t) => names.of(t)),
    });
    for (const { topic, partitions } of committed) {
      for (const end of await admin.fetchTopicOffsets(topic)) {
        const offset = Number(partitions.find((p) => p.partition === end.partition)?.offset ?? -1);
        backlog += Math.max(0, Number(end.high) - (offset >= 0 ? offset : Number(end.low)));
      }
    }
  }
  return backlog;
}

/** Waits until the pipeline has no backlog on several checks in a row (the tracker's own events come a moment after its commits). */
async function drained(
  admin: Admin,
  names: TopicNames,
  prefix: string,
  timeoutMs: number,
  report: (backlog: number) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let quiet = 0;
  for (;;) {
    const backlog = await pipelineBacklog(admin, names, prefix);
    report(backlog);
    quiet = backlog === 0 ? quiet + 1 : 0;
    if (quiet >= 3) return;
    if (Date.now() > deadline) {
      throw new SeedError(
        `the pipeline still has ${backlog} events to apply after ${Math.round(timeoutMs / 1000)} s: are the ow-adapter, eo-adapter and referral-tracker running (npm start)?`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, backlog === 0 ? 400 : 1000));
  }
}

async function deadLetters(admin: Admin, names: TopicNames): Promise<number> {
  let total = 0;
  for (const topic of CONSUMED) {
    for (const p of await admin.fetchTopicOffsets(`${names.of(topic)}.dlq`)) total += Number(p.high);
  }
  return total;
}

/** The few gateway calls seeding makes, waiting out the per-organization rate limit (429). */
class Gateway {
  constructor(private readonly base: string) {}

  async json(path: string, token: string): Promise<unknown> {
    const response = await this.call(path, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    return response.json();
  }

  /** One bulk upload of OW case records (NDJSON); every line must come back accepted. */
  async bulk(token: string, records: OwCaseRecord[]): Promise<void> {
    const body = records.map((r) => JSON.stringify(r)).join('\n');
    const response = await this.call('/v1/ow/case-records:batch', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-ndjson' },
      body,
    });
    const lines = (await response.text())
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map(
        (l) => JSON.parse(l) as { status?: string; line?: number; errors?: unknown; summary?: { accepted: number } },
      );
    const refused = lines.filter((l) => l.status !== undefined && l.status !== 'accepted');
    const summary = lines.find((l) => l.summary !== undefined)?.summary;
    if (refused.length > 0 || summary?.accepted !== records.length) {
      throw new SeedError(`the gateway did not accept every case record: ${JSON.stringify(refused.slice(0, 3))}`);
    }
  }

  private async call(path: string, init: RequestInit): Promise<Response> {
    for (let attempt = 0; ; attempt += 1) {
      const response = await fetch(`${this.base}${path}`, init);
      if (response.status === 429 && attempt < 20) {
        await new Promise((resolve) => setTimeout(resolve, 1000 * Number(response.headers.get('retry-after') ?? '1')));
        continue;
      }
      if (!response.ok)
        throw new SeedError(`${init.method ?? 'GET'} ${path}: ${response.status} ${await response.text()}`);
      return response;
    }
  }
}
