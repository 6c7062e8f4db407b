import type { OwCaseRecord } from '@passerelle/contracts';
import { readFixture } from '../support/client-path';
import { NoAnswer, httpJson, type HttpAnswer } from './http-client';
import { Slots, type Slot } from './slots';

export type RequestKind = 'submit' | 'accept' | 'inbox';
/** An HTTP status, or why there was none. */
export type Outcome = number | 'network' | 'timeout';

export interface Attempt {
  /** The phase when the attempt was sent. */
  phase: string;
  /** The phase when it ended (a request in flight when the gateway is killed fails in the next phase). */
  endPhase: string;
  kind: RequestKind;
  outcome: Outcome;
  ms: number;
  /** A 503 that said when to retry (DESIGN.md: `503` with `Retry-After`). */
  retryAfter?: boolean;
  /** What an unexpected answer said (problem detail), for the report. */
  detail?: string;
}

export interface LoadOptions {
  /** `http://127.0.0.1:<port>` of the gateway. */
  base: string;
  referrerToken: string;
  providerToken: string;
  /** No request is retried after this (epoch ms): the suite's own deadline. */
  deadline: number;
  /** Requests of each kind in flight at most (a request waiting out a 409 does not count). */
  concurrency: number;
  /** One new referral every `paceMs`, at most: a steady load, not a flood. */
  paceMs: number;
  /** An attempt unanswered after this counts as held (`timeout`) and is retried. */
  attemptTimeoutMs: number;
}

/** Where a POST is: still retried, or done with its final answer (none when the deadline came first). */
export interface Final {
  done: boolean;
  answer?: HttpAnswer;
  /** The phase the final answer came in. */
  phase?: string;
}

/**
 * The steady load of the fault suite: referrals submitted with `POST /v1/referrals`, and the
 * provider accepting each one routed to it (`GET /v1/provider/referrals`, then `POST .../accept`),
 * each POST retried with the same Idempotency-Key on 5xx, network errors and 409 "still being
 * answered" until it gets a final answer. Every attempt is recorded with the phase it was sent in.
 */
export class FaultLoad {
  phase = 'baseline';
  readonly attempts: Attempt[] = [];
  /** Idempotency-Key -> the submission's final answer (absent while it is still retried). */
  readonly submissions = new Map<string, Final>();
  /** Referral id -> the accept's final answer (absent while it is still retried). */
  readonly accepts = new Map<string, Final>();
  private submitting = true;
  private providing = true;
  private readonly tasks = new Set<Promise<void>>();
  private readonly loops: Promise<void>[] = [];
  private readonly submitSlots: Slots;
  private readonly acceptSlots: Slots;

  constructor(private readonly options: LoadOptions) {
    this.submitSlots = new Slots(options.concurrency);
    this.acceptSlots = new Slots(options.concurrency);
  }

  start(): void {
    this.loops.push(this.submitLoop(), this.providerLoop());
  }

  /** Referral ids answered 202. */
  referralIds(): string[] {
    return [...this.submissions.values()]
      .filter((f) => f.answer?.status === 202)
      .map((f) => (f.answer!.body as { referralId: string }).referralId);
  }

  /** Attempts of a phase (and kind) that matched `outcome`. */
  count(phase: string, kind?: RequestKind, outcome?: (o: Outcome) => boolean): number {
    return this.attempts.filter(
      (a) => a.phase === phase && (kind === undefined || a.kind === kind) && (outcome?.(a.outcome) ?? true),
    ).length;
  }

  /** No new referrals; what was submitted is still retried until answered. */
  async stopSubmitting(): Promise<void> {
    this.submitting = false;
    await this.loops[0];
  }

  /** Every request still being retried finished (or hit the deadline). */
  async drained(): Promise<void> {
    while (this.tasks.size > 0) await Promise.all([...this.tasks]);
  }

  /** Stops the provider too and waits for everything in flight. */
  async stop(): Promise<void> {
    this.submitting = false;
    this.providing = false;
    await Promise.all(this.loops);
    await this.drained();
  }

  // Read through methods: the flags change while a loop awaits, which narrowing cannot see.
  private isSubmitting(): boolean {
    return this.submitting;
  }

  private isProviding(): boolean {
    return this.providing;
  }

  private track(task: Promise<void>): void {
    this.tasks.add(task);
    void task.finally(() => this.tasks.delete(task));
  }

  private async submitLoop(): Promise<void> {
    for (let n = 1; this.isSubmitting() && Date.now() < this.options.deadline; n++) {
      const slot = await this.submitSlots.acquire();
      if (!this.isSubmitting()) {
        slot.release();
        break;
      }
      const key = `faults-submit-${n}`;
      this.submissions.set(key, { done: false });
      this.track(
        this.untilFinal(
          'submit',
          `${this.options.base}/v1/referrals`,
          key,
          referralBody(n),
          this.options.referrerToken,
          slot,
        ).then((final) => void this.submissions.set(key, final)),
      );
      await sleep(this.options.paceMs);
    }
  }

  private async providerLoop(): Promise<void> {
    const inboxUrl = `${this.options.base}/v1/provider/referrals?status=requested&limit=200`;
    while (this.isProviding() && Date.now() < this.options.deadline) {
      const answer = await this.send('inbox', inboxUrl, 'GET', this.options.providerToken).catch(() => undefined);
      const items = answer?.status === 200 ? (answer.body as { items: Array<{ referralId: string }> }).items : [];
      for (const { referralId } of items) {
        if (this.accepts.has(referralId) || !this.isProviding()) continue;
        this.accepts.set(referralId, { done: false });
        const slot = await this.acceptSlots.acquire();
        const url = `${this.options.base}/v1/provider/referrals/${referralId}/accept`;
        this.track(
          this.untilFinal('accept', url, `faults-accept-${referralId}`, {}, this.options.providerToken, slot).then(
            (final) => void this.accepts.set(referralId, final),
          ),
        );
      }
      // The inbox is read again shortly: the provider's own polling interval, not a wait for a check.
      await sleep(300);
    }
  }

  /** Retries one POST under its key until a final answer (2xx, or a 4xx other than a 409 "still being answered"). */
  private async untilFinal(
    kind: RequestKind,
    url: string,
    key: string,
    body: unknown,
    token: string,
    slot: Slot,
  ): Promise<Final> {
    try {
      while (Date.now() < this.options.deadline) {
        let answer: HttpAnswer;
        try {
          answer = await this.send(kind, url, 'POST', token, key, body);
        } catch (error) {
          if (!(error instanceof NoAnswer)) throw error;
          await sleep(250);
          continue;
        }
        if (answer.status >= 500) {
          await sleep(retryDelay(answer));
          continue;
        }
        if (answer.status === 409 && stillAnswering(answer)) {
          // The key is held by an attempt the gateway lost (killed, or its database gone): it
          // frees itself once stale. The slot goes to fresh requests meanwhile.
          slot.release();
          await sleep(1_000);
          continue;
        }
        return { done: true, answer, phase: this.phase };
      }
      return { done: true };
    } finally {
      slot.release();
    }
  }

  private async send(
    kind: RequestKind,
    url: string,
    method: 'GET' | 'POST',
    token: string,
    key?: string,
    body?: unknown,
  ): Promise<HttpAnswer> {
    const phase = this.phase;
    const started = performance.now();
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (key !== undefined) headers['idempotency-key'] = key;
    try {
      const answer = await httpJson(url, { method, headers, body, timeoutMs: this.options.attemptTimeoutMs });
      const ms = performance.now() - started;
      const attempt: Attempt = { phase, endPhase: this.phase, kind, outcome: answer.status, ms };
      if (answer.status === 503) attempt.retryAfter = answer.headers['retry-after'] !== undefined;
      if (![200, 202, 503].includes(answer.status)) attempt.detail = detailOf(answer);
      this.attempts.push(attempt);
      return answer;
    } catch (error) {
      if (error instanceof NoAnswer) {
        this.attempts.push({
          phase,
          endPhase: this.phase,
          kind,
          outcome: error.kind,
          ms: performance.now() - started,
          detail: error.message,
        });
      }
      throw error;
    }
  }
}

/** A referral of its own (ids, client, consent) from the Sudbury fixture, the way the gateway suites build them. */
export function referralBody(n: number): OwCaseRecord {
  const record = readFixture('ow-case-record/eloise-cote-tremblay-referral.json');
  const tag = `-f${n}`;
  record.sourceRecordId += tag;
  record.personal.memberId = String(500_000_000 + n);
  record.referralRequest!.referralId += tag;
  record.referralRequest!.consentId += tag;
  record.consents = record.consents!.map((c) => ({ ...c, consentId: c.consentId + tag }));
  record.benefitsIssued = record.benefitsIssued?.map((b) => ({ ...b, benefitId: b.benefitId + tag }));
  return record;
}

function stillAnswering(answer: HttpAnswer): boolean {
  return /still being answered/.test(detailOf(answer));
}

export function detailOf(answer: HttpAnswer): string {
  const body = answer.body as { detail?: unknown } | string | undefined;
  const detail = typeof body === 'object' && body.detail !== undefined ? body.detail : body;
  if (detail === undefined) return '';
  return (typeof detail === 'string' ? detail : JSON.stringify(detail)).slice(0, 200);
}

/** The server's Retry-After when it gave one (capped: the suite is short), else a short backoff. */
function retryDelay(answer: HttpAnswer): number {
  const seconds = Number(answer.headers['retry-after']);
  return Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds * 1_000, 1_000) : 200;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
