import { randomUUID } from 'node:crypto';
import type { OdspEmploymentRecord, OwCaseRecord } from '@passerelle/contracts';
import { SeedError } from './seed-error';

/** The few gateway calls the demo makes, waiting out the per-organization rate limit (429). */
export class Gateway {
  constructor(private readonly base: string) {}

  async json(path: string, token: string): Promise<unknown> {
    const response = await this.call(path, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    return response.json();
  }

  /** A JSON POST under a fresh Idempotency-Key; the answer's body. */
  async post(path: string, token: string, body: unknown): Promise<unknown> {
    const response = await this.call(path, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'idempotency-key': randomUUID(),
      },
      body: JSON.stringify(body),
    });
    return response.json();
  }

  async delete(path: string, token: string): Promise<void> {
    await this.call(path, { method: 'DELETE', headers: { authorization: `Bearer ${token}` } });
  }

  /**
   * One bulk upload (NDJSON) of OW case records, or of ODSP employment records to
   * `/v1/odsp/employment-records:batch`; every line must come back accepted.
   */
  async bulk(
    token: string,
    records: OwCaseRecord[] | OdspEmploymentRecord[],
    path = '/v1/ow/case-records:batch',
  ): Promise<void> {
    const body = records.map((r) => JSON.stringify(r)).join('\n');
    const response = await this.call(path, {
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
      throw new SeedError(`the gateway did not accept every record: ${JSON.stringify(refused.slice(0, 3))}`);
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
