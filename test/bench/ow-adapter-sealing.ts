import { isDeepStrictEqual } from 'node:util';
import type { Admin, Kafka, KafkaMessage, Message } from 'kafkajs';
import type { OwCaseRecord } from '@passerelle/contracts';
import { isSealedPersonal, type PersonalDataVault } from '@passerelle/crypto';
import type { CloudEvent, TopicNames } from '@passerelle/messaging';
import {
  founderClientId,
  migrateToLatest,
  openDatabase,
  personalDataVault,
  type DatabaseHandle,
} from '@passerelle/persistence';
import { sealRawRecords } from '@passerelle/translation';
import { owCaseRecordSource } from '../../apps/ow-adapter/src/ow-sources';
import { envelopeDifference, headerText, type PrebuiltOutput } from './adapter-output-replay';
import { sleep, uniqueName } from './bench';

/**
 * The sealed variant of ow.adapter: its raw input as the gateway produces it in production
 * (`SealingRecordSink`), and the check that what the adapter publishes from it is the baseline's
 * pre-built output with every `personal` sealed with its client's key.
 */

/** Records sealed per vault call: one key store round trip each (a multi-row insert stays far below PostgreSQL's 65,535 parameters). */
const SEAL_CHUNK = 1_000;
/** PERSONAL_DATA_KEY_CACHE_MS' default, as the apps run with. */
const KEY_CACHE_MS = 30_000;

/** A vault over the `client_key` table of `schema` (migrated to the latest version here), as the apps build theirs. */
export async function benchVault(
  databaseUrl: string,
  schema: string,
  masterKey: Buffer,
): Promise<{ vault: PersonalDataVault; database: DatabaseHandle }> {
  const database = openDatabase({ url: databaseUrl, schema });
  try {
    await migrateToLatest(database);
  } catch (error) {
    await database.close();
    throw error;
  }
  const vault = personalDataVault(database.db, {
    personalDataMasterKey: masterKey,
    personalDataPreviousKeys: [],
    personalDataKeyCacheMs: KEY_CACHE_MS,
  });
  return { vault, database };
}

/**
 * The raw records as the gateway seals them: `personal` and a referral request's `notes` sealed
 * with the data key of the client the record is about (for a new person, the client its founding
 * source id gives: `founderClientId`, as `RawRecordClients` finds it), keyed by that client id.
 * The client keys are created in the vault's schema on the way.
 */
export async function sealedRawInput(
  vault: PersonalDataVault,
  raws: CloudEvent<OwCaseRecord>[],
): Promise<CloudEvent<OwCaseRecord>[]> {
  const sealed: CloudEvent<OwCaseRecord>[] = [];
  for (let from = 0; from < raws.length; from += SEAL_CHUNK) {
    const events = raws.slice(from, from + SEAL_CHUNK);
    const clientIds = events.map((e) => founderClientId(owCaseRecordSource.identities(e.data)));
    for (const event of await sealRawRecords(vault, events, clientIds)) {
      if (!isSealedPersonal(event.data.personal)) throw new Error(`raw record ${event.id}: the vault did not seal it`);
      sealed.push(event);
    }
  }
  return sealed;
}

/**
 * Reads `sample` events the adapter published on `topics` and checks each against the pre-built
 * event of the same ce_id: same key and headers, `personal` (when the pre-built event has one)
 * sealed for the event's client and, opened with `vault`, equal to the pre-built one, the rest of
 * the value equal. Throws at the first difference; returns how many were checked and how many of
 * them carried a sealed `personal`.
 */
export async function checkSealedAgainstPrebuilt(
  kafka: Kafka,
  topics: string[],
  output: PrebuiltOutput,
  sample: number,
  vault: PersonalDataVault,
): Promise<{ checked: number; sealed: number }> {
  const expected = new Map<string, Message>();
  for (const events of output.byRecordKey.values())
    for (const { messages } of events)
      for (const message of messages) expected.set(headerText(message, 'ce_id'), message);
  const read = await readBack(kafka, topics, sample);
  const pairs = read.map(({ topic, message }) => {
    const where = `${topic}@${message.offset}`;
    const wanted = expected.get(headerText(message, 'ce_id'));
    if (!wanted) throw new Error(`${where}: no pre-built event with ce_id ${headerText(message, 'ce_id')}`);
    const difference = envelopeDifference(message, wanted);
    if (difference !== undefined) throw new Error(`${where}: ${difference} differs from the pre-built event`);
    const actual = JSON.parse(message.value?.toString() ?? 'null') as Record<string, unknown>;
    const prebuilt = JSON.parse(Buffer.from(wanted.value as Buffer).toString()) as Record<string, unknown>;
    const { personal: sealedPersonal, ...actualRest } = actual;
    const { personal: clearPersonal, ...prebuiltRest } = prebuilt;
    if (!isDeepStrictEqual(actualRest, prebuiltRest)) throw new Error(`${where}: the value differs besides personal`);
    if ((sealedPersonal === undefined) !== (clearPersonal === undefined))
      throw new Error(`${where}: personal ${clearPersonal === undefined ? 'added' : 'missing'}`);
    if (sealedPersonal !== undefined && !isSealedPersonal(sealedPersonal))
      throw new Error(`${where}: personal published in clear`);
    return { where, clientId: actual.clientId, sealedPersonal, clearPersonal };
  });
  const carrying = pairs.filter((p) => p.sealedPersonal !== undefined);
  const opened = await vault.revealMany(
    carrying.map((p) => {
      if (typeof p.clientId !== 'string') throw new Error(`${p.where}: a personal member without a clientId`);
      return { clientId: p.clientId, personal: p.sealedPersonal };
    }),
  );
  carrying.forEach((p, n) => {
    if (!isDeepStrictEqual(opened[n], p.clearPersonal))
      throw new Error(`${p.where}: personal, opened, differs from the pre-built event's`);
  });
  return { checked: pairs.length, sealed: carrying.length };
}

/** Throws unless every canonical topic under `names` holds exactly the pre-built count of events. */
export async function expectEvents(
  admin: Admin,
  output: PrebuiltOutput,
  names: TopicNames,
  what: string,
): Promise<void> {
  for (const [topic, expected] of output.perTopic) {
    const actual = await eventsOn(admin, [names.of(topic)]);
    if (actual !== expected) throw new Error(`${what}: ${actual} events on ${topic}, ${expected} expected`);
  }
}

/** Records on `topics` (sum of the partitions' high watermarks). */
export async function eventsOn(admin: Admin, topics: string[]): Promise<number> {
  let total = 0;
  for (const topic of topics)
    total += (await admin.fetchTopicOffsets(topic)).reduce((sum, p) => sum + Number(p.high), 0);
  return total;
}

/** The first `sample` records read from `topics` (from the beginning, a group of its own). */
async function readBack(
  kafka: Kafka,
  topics: string[],
  sample: number,
): Promise<Array<{ topic: string; message: KafkaMessage }>> {
  const read: Array<{ topic: string; message: KafkaMessage }> = [];
  const consumer = kafka.consumer({ groupId: uniqueName('bench.owa.check-sealed'), allowAutoTopicCreation: false });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ topic, message }) => {
        if (read.length < sample) read.push({ topic, message });
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + 60_000;
    while (read.length < sample) {
      if (Date.now() > deadline) throw new Error(`only ${read.length} of ${sample} adapter events read in 60 s`);
      await sleep(100);
    }
  } finally {
    await consumer.disconnect();
  }
  return read;
}
