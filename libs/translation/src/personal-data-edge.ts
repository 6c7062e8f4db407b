import type { CloudEvent } from '@passerelle/contracts';
import { isSealedPersonal, type PersonalDataVault, type SealedPersonal } from '@passerelle/crypto';
import type { InboundEvent } from '@passerelle/messaging';

/** A raw record whose client was erased: its `personal` can never be read again. */
export const ERASED_RECORD = Symbol('erased record');

/** What the edge reads and writes of a raw record: the members the gateway seals. */
interface RawRecordData {
  personal?: unknown;
  referralRequest?: { notes?: unknown };
}

/**
 * Raw records as they go to a raw topic: `personal` and a referral request's free-text `notes`
 * (which may name or describe the person) sealed with the data key of the client each record is
 * about (`clientIds`, in order), and each record keyed by that client id instead of the person's
 * source id. A record about an erased client is shredded: sealed with a key no one keeps, so its
 * `keyId` still tells the adapter which client it is about. One key store round trip for the
 * records' uncached clients, notes included. The opening side is {@link openRawRecords}.
 */
export async function sealRawRecords<T extends RawRecordData>(
  vault: PersonalDataVault,
  events: readonly CloudEvent<T>[],
  clientIds: readonly string[],
): Promise<CloudEvent<T>[]> {
  const notesAt = events.flatMap((e, n) => (e.data.referralRequest?.notes === undefined ? [] : [n]));
  const sealed = await vault.protectMany<unknown>([
    ...events.map((e, n) => ({ clientId: clientIds[n], personal: e.data.personal })),
    ...notesAt.map((n) => ({ clientId: clientIds[n], personal: events[n].data.referralRequest?.notes })),
  ]);
  const notes = new Map(notesAt.map((n, at) => [n, sealed[events.length + at]]));
  const sealedOrShred = (n: number, clear: unknown, value: unknown) => value ?? vault.shred(clientIds[n], clear);
  return events.map((e, n) => {
    const request = e.data.referralRequest;
    return {
      ...e,
      partitionkey: clientIds[n],
      data: {
        ...e.data,
        personal: sealedOrShred(n, e.data.personal, sealed[n]),
        ...(request?.notes !== undefined && {
          referralRequest: { ...request, notes: sealedOrShred(n, request.notes, notes.get(n)) },
        }),
      },
    };
  });
}

/**
 * The data of each raw record with its `personal` and a referral request's `notes` opened (the
 * gateway sealed them with the data key of the client it found for the record, named by
 * `keyId`), or {@link ERASED_RECORD} when that client was erased. Records in clear (written
 * without a master key) are as they came. One key store round trip for the batch's uncached
 * clients; a value that does not open throws (the record then goes the way of any failing
 * record: retried, then dead-lettered).
 */
export async function openRawRecords(
  vault: PersonalDataVault | undefined,
  inbounds: readonly InboundEvent[],
): Promise<unknown[]> {
  const datas = inbounds.map((inbound) => inbound.event.data as RawRecordData | undefined);
  const sealedAt = datas.flatMap((data, n) => (isSealedPersonal(data?.personal) ? [n] : []));
  if (sealedAt.length === 0 || vault === undefined) return datas;
  const notesAt = sealedAt.filter((n) => isSealedPersonal(datas[n]?.referralRequest?.notes));
  const sealedOf = (value: unknown) => {
    const sealed = value as SealedPersonal;
    return { clientId: sealed.keyId, personal: sealed };
  };
  const opened = await vault.revealMany([
    ...sealedAt.map((n) => sealedOf(datas[n]?.personal)),
    ...notesAt.map((n) => sealedOf(datas[n]?.referralRequest?.notes)),
  ]);
  const notes = new Map(notesAt.map((n, at) => [n, opened[sealedAt.length + at]]));
  // Each record's data, or ERASED_RECORD.
  const out: unknown[] = [...datas];
  sealedAt.forEach((n, at) => {
    const personal = opened[at];
    const data = datas[n] as RawRecordData;
    out[n] =
      personal === undefined
        ? ERASED_RECORD
        : {
            ...data,
            personal,
            ...(notes.has(n) && { referralRequest: { ...data.referralRequest, notes: notes.get(n) } }),
          };
  });
  return out;
}

/**
 * A raw record of an erased client as its mapping can take it: `personal` replaced by the
 * definition's stand-in, and the sealed, unreadable `notes` left out.
 */
export function erasedRecordStandIn(raw: unknown, personal: unknown): unknown {
  const data = raw as RawRecordData;
  const request = data.referralRequest;
  if (request?.notes === undefined) return { ...data, personal };
  const { notes: _unreadable, ...rest } = request;
  return { ...data, personal, referralRequest: rest };
}

/**
 * Seals the `personal` member of every outgoing event with its client's data key, in place (the
 * mapping that built them stays pure), or drops it when the client was erased: events about an
 * erased client still flow, de-identified. Without a master key `personal` stays in clear, but
 * is still dropped for erased clients.
 */
export async function sealOutgoingPersonal(
  vault: PersonalDataVault | undefined,
  events: readonly CloudEvent[],
): Promise<void> {
  if (vault === undefined) return;
  const carrying = events.filter(
    (event): event is CloudEvent<{ clientId: string; personal: unknown }> =>
      typeof event.data === 'object' &&
      event.data !== null &&
      (event.data as { personal?: unknown }).personal !== undefined &&
      typeof (event.data as { clientId?: unknown }).clientId === 'string',
  );
  if (carrying.length === 0) return;
  const sealed = await vault.protectMany(
    carrying.map((event) => ({ clientId: event.data.clientId, personal: event.data.personal })),
  );
  carrying.forEach((event, n) => {
    const personal = sealed[n];
    if (personal === undefined) {
      const { personal: _dropped, ...deidentified } = event.data;
      (event as { data: unknown }).data = deidentified;
    } else {
      (event as { data: unknown }).data = { ...event.data, personal };
    }
  });
}
