import { isSealedPersonal, type PersonalDataVault } from '@passerelle/crypto';
import type { InboundEvent } from '@passerelle/messaging';
import type { SerializedOutboxMessage } from '@passerelle/persistence';

type WithPersonal = { clientId?: unknown; personal?: unknown };

/**
 * Inbound events with their `personal` opened, for the tracker to route (postal code) and keep
 * the ledger snapshot the provider reads; without it once the client was erased (the ledger then
 * keeps none). Events in clear are as they came. One key store round trip for the batch.
 */
export async function openInboundPersonal(
  vault: PersonalDataVault | undefined,
  inbound: readonly InboundEvent[],
): Promise<readonly InboundEvent[]> {
  if (vault === undefined) return inbound;
  const carrying = inbound.flatMap((e, n) => {
    const data = e.event.data as WithPersonal | undefined;
    return data?.personal !== undefined && typeof data.clientId === 'string'
      ? [{ n, clientId: data.clientId, personal: data.personal }]
      : [];
  });
  if (carrying.length === 0) return inbound;
  const opened = await vault.revealMany(carrying.map(({ clientId, personal }) => ({ clientId, personal })));
  const out = [...inbound];
  carrying.forEach(({ n, personal }, at) => {
    const clear = opened[at];
    if (clear === personal) return;
    const { personal: _sealed, ...rest } = out[n].event.data as WithPersonal;
    const data = clear === undefined ? rest : { ...rest, personal: clear };
    out[n] = { ...out[n], event: { ...out[n].event, data } };
  });
  return out;
}

/**
 * Seals the `personal` member of the events a batch emits (its outbox, `referral.*` with the
 * referral's snapshot) with the client's data key, or drops it once the client was erased, so
 * no topic carries it in clear. Rewrites only the messages that carry one.
 */
export async function sealOutboxPersonal(
  vault: PersonalDataVault | undefined,
  outbox: SerializedOutboxMessage[],
): Promise<void> {
  if (vault === undefined) return;
  const carrying = outbox.flatMap((message, n) => {
    if (!message.json.includes('"personal"')) return [];
    const event = JSON.parse(message.json) as { data?: WithPersonal };
    const { data } = event;
    if (data?.personal === undefined || isSealedPersonal(data.personal) || typeof data.clientId !== 'string') return [];
    return [{ n, event, data: data as WithPersonal & { clientId: string } }];
  });
  if (carrying.length === 0) return;
  const sealed = await vault.protectMany(
    carrying.map(({ data }) => ({ clientId: data.clientId, personal: data.personal })),
  );
  carrying.forEach(({ n, event, data }, at) => {
    const { personal: _clear, ...rest } = data;
    const personal = sealed[at];
    outbox[n] = {
      ...outbox[n],
      json: JSON.stringify({ ...event, data: personal === undefined ? rest : { ...rest, personal } }),
    };
  });
}
