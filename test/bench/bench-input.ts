import { CompressionTypes, type Kafka, type Message } from 'kafkajs';
import { deterministicEventId, encodeCloudEvent, type CloudEvent } from '@passerelle/messaging';

/** Input of the Kafka benchmarks: topics pre-filled before anything is timed. */
const EVENT_TYPE = 'ca.on.passerelle.referral.submitted';

/** Pre-fills `topic` with `count` binary-mode CloudEvents in large concurrent batches (not measured). */
export async function prefill(
  kafka: Kafka,
  topic: string,
  count: number,
  clientIds: string[],
  firstSeq: number,
): Promise<number> {
  return prefillEvents(kafka, topic, count, (n) => sampleEvent(firstSeq + n, clientIds[n % clientIds.length]));
}

/** Pre-fills `topic` with the events `make(0..count-1)` builds; returns the bytes of their values. */
export async function prefillEvents(
  kafka: Kafka,
  topic: string,
  count: number,
  make: (n: number) => CloudEvent,
): Promise<number> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  let bytes = 0;
  try {
    const batchSize = 500; // < 1 MB per partition batch (message.max.bytes) with 3+ partitions
    const inFlight = 4;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < count) {
        const from = next;
        const to = Math.min(count, from + batchSize);
        next = to;
        const messages: Message[] = [];
        for (let n = from; n < to; n += 1) {
          const message = encodeCloudEvent(make(n));
          bytes += (message.value as Buffer).length;
          messages.push(message);
        }
        await producer.send({ topic, messages, acks: -1, compression: CompressionTypes.None });
      }
    };
    await Promise.all(Array.from({ length: inFlight }, worker));
  } finally {
    await producer.disconnect();
  }
  return bytes;
}

const GIVEN = ['Éloïse', 'Mohamed', 'Priya', 'Jean-François', 'Aaliyah', 'Wei', 'Connor', 'Fatima', 'Mateo', 'Nokomis'];
const FAMILY = ['Tremblay-Côté', 'Singh', 'Nguyen', 'MacDonald', 'Okafor', 'Gagnon', 'Chen', 'Roy', 'Abdi', 'Wabasse'];
const AGENTS = [
  { code: 'TOR', name: 'City of Toronto', office: 'Etobicoke North', catchment: 'M9V' },
  { code: 'OTT', name: 'City of Ottawa', office: 'Vanier', catchment: 'K1L' },
  { code: 'KDSB', name: 'Kenora District Services Board', office: 'Dryden', catchment: 'P8N' },
  { code: 'SUD', name: 'City of Greater Sudbury', office: 'Rainbow Centre', catchment: 'P3E' },
];

/** A referral.submitted as the OW adapter emits it: ~1 KB of JSON, personal data under `personal`. */
export function sampleEvent(n: number, clientId: string): CloudEvent<Record<string, unknown>> {
  const agent = AGENTS[n % AGENTS.length];
  const recordId = `OW-${agent.code}-${String(n).padStart(8, '0')}`;
  const day = String((n % 28) + 1).padStart(2, '0');
  return {
    specversion: '1.0',
    id: deterministicEventId({
      sourceSystem: `sams:${agent.code.toLowerCase()}`,
      recordId,
      version: 1,
      type: EVENT_TYPE,
    }),
    source: `/ow/sams/${agent.code.toLowerCase()}`,
    type: EVENT_TYPE,
    time: `2026-03-${day}T14:${String(n % 60).padStart(2, '0')}:05.123Z`,
    subject: `referral/${recordId}`,
    dataschema: 'https://schemas.passerelle.ontario.ca/v1/canonical/referral.json',
    correlationid: `corr-${recordId}`,
    causationid: `ow-case-record-${recordId}-v1`,
    partitionkey: clientId,
    datacontenttype: 'application/json',
    data: {
      referralId: recordId,
      clientId,
      program: n % 7 === 0 ? 'ODSP' : 'OW',
      status: 'requested',
      businessStatus: 'routed',
      submittedAt: `2026-03-${day}T14:00:00.000Z`,
      deliveryAgent: { code: agent.code, name: agent.name, office: agent.office },
      referrer: {
        org: `ow:${agent.code.toLowerCase()}`,
        caseworkerId: `CW-${(n * 7) % 9973}`,
        phone: '+1-416-555-0142',
      },
      service: { code: 'EO-ES', label: { en: 'Employment Services', fr: "Services d'emploi" } },
      provider: { id: `eo:provider-${(n % 120) + 1}`, catchment: agent.catchment, assignedBy: 'catchment' },
      consent: {
        given: true,
        givenAt: `2026-03-${day}T13:55:00.000Z`,
        scope: ['share-with-eo', 'outcomes'],
        version: '2025-06',
      },
      goals: ['full-time-employment', n % 2 === 0 ? 'skills-training' : 'job-search-support'],
      barriers: n % 3 === 0 ? ['transportation', 'childcare'] : ['language'],
      personal: {
        givenName: GIVEN[n % GIVEN.length],
        familyName: FAMILY[(n >> 3) % FAMILY.length],
        birthDate: `19${70 + (n % 30)}-0${(n % 9) + 1}-${day}`,
        email: `client${n}@example.ca`,
        phone: `+1-705-555-${String(n % 10_000).padStart(4, '0')}`,
        preferredLanguage: n % 4 === 0 ? 'fr' : 'en',
        address: {
          line1: `${(n % 900) + 10} Main Street`,
          city: agent.name.replace(/^City of /, ''),
          province: 'ON',
          postalCode: `${agent.catchment} 2B${n % 10}`,
        },
        sourceIds: { sams: `SAMS-${agent.code}-${(n * 31) % 999_983}`, oen: null },
      },
      notes: 'Client interested in warehouse or retail work; has a G2 licence; prefers morning appointments.',
    },
  };
}
