import type { Admin } from 'kafkajs';
import type { ContractTopicName } from '@passerelle/contracts';
import type { TopicNames } from '@passerelle/messaging';
import { SeedError } from './seed-error';

// How far the running pipeline (adapters, tracker) is behind what seeding sent, read from its
// consumer groups' committed offsets.

/** Consumer groups of the pipeline and the topics each reads (libs/runtime names them `<prefix>passerelle-<app>`). */
const PIPELINE: ReadonlyArray<readonly [string, readonly ContractTopicName[]]> = [
  ['ow-adapter', ['ow.case-records.v1', 'odsp.employment-records.v1']],
  ['eo-adapter', ['eo.service-records.v1']],
  ['referral-tracker', ['referrals.v1', 'service-events.v1', 'outcomes.v1', 'clients.v1']],
];
const CONSUMED = PIPELINE.flatMap(([, topics]) => topics);

/** Waits until one adapter has committed everything on its topics (it is quick: the tracker is not waited for here). */
export async function adapterDone(admin: Admin, names: TopicNames, prefix: string, app: string): Promise<void> {
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
export async function drained(
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

export async function deadLetters(admin: Admin, names: TopicNames): Promise<number> {
  let total = 0;
  for (const topic of CONSUMED) {
    for (const p of await admin.fetchTopicOffsets(`${names.of(topic)}.dlq`)) total += Number(p.high);
  }
  return total;
}
