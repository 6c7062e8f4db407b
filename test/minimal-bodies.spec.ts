import { documentOperations, loadOpenApiDocument, OpenApiValidator } from '@passerelle/contracts';
import { mappedCodes, minimalBodies, minimalRequests } from './support/minimal-body';

describe('minimal bodies generated from openapi.yaml (required members only)', () => {
  const document = loadOpenApiDocument();
  const validator = new OpenApiValidator(document);
  const requests = minimalRequests(document, documentOperations(document), mappedCodes);

  it('finds every operation with a JSON body, one body per alternative', () => {
    expect(requests.map((r) => `${r.operationId} ${r.bodies.length}`).sort()).toEqual([
      'cancelProviderReferral 1',
      'cancelReferral 1',
      'declineReferral 1',
      'holdReferral 1',
      'recordServiceRecords 2',
      'registerWebhook 1',
      'resolveLinkConflict 1',
      'submitOdspReferral 1',
      'submitReferral 1',
      'withdrawConsent 1',
    ]);
  });

  it('makes bodies valid against the document, the operation-specific rules included', () => {
    const invalid = requests.flatMap((r) =>
      r.bodies.flatMap((body, n) =>
        validator.validate(r.schemaPointer, body).map((e) => `${r.operationId}#${n} ${e.pointer} ${e.message}`),
      ),
    );
    expect(invalid).toEqual([]);
  });

  it('keeps only required members, and what the operation requires beyond its shared schema', () => {
    const submit = requests.find((r) => r.operationId === 'submitReferral')!.bodies[0] as Record<string, unknown>;
    expect(Object.keys(submit).sort()).toEqual([
      'consents',
      'deliveryAgent',
      'personal',
      'programCode',
      'recordVersion',
      'recordedAt',
      'referralRequest',
      'sourceRecordId',
    ]);
    expect(submit.programCode).toBe('OW'); // mapped, not a pattern match the gateway would refuse
    const webhook = requests.find((r) => r.operationId === 'registerWebhook')!.bodies[0];
    expect(webhook).toEqual({ url: 'https://example.ca/' });
  });

  it('follows if / then and the first enum value', () => {
    const schema = {
      type: 'object',
      required: ['decision'],
      properties: { decision: { enum: ['declined', 'accepted'] }, reason: { type: 'string', minLength: 2 } },
      if: { properties: { decision: { const: 'declined' } }, required: ['decision'] },
      then: { required: ['reason'] },
    };
    expect(minimalBodies(document, schema, mappedCodes)).toEqual([{ decision: 'declined', reason: 'xx' }]);
  });
});
