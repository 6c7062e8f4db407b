import { HttpException } from '@nestjs/common';
import { GetOutcomeReport } from './get-outcome-report';
import type { ReferralFacts } from './referral-facts';

function useCase(): { getOutcomeReport: GetOutcomeReport; asked: string[][] } {
  const asked: string[][] = [];
  const facts = {
    madeBetween: (from: string, to: string) => {
      asked.push([from, to]);
      return Promise.resolve([]);
    },
  } as unknown as ReferralFacts;
  return { getOutcomeReport: new GetOutcomeReport(facts), asked };
}

describe('GetOutcomeReport', () => {
  it('reads the facts of the period asked and answers JSON by default', async () => {
    const { getOutcomeReport, asked } = useCase();
    const answer = await getOutcomeReport.execute({
      query: { from: '2025-01-01', to: '2025-12-31' },
      accept: undefined,
    });
    expect(asked).toEqual([['2025-01-01', '2025-12-31']]);
    expect(answer).toMatchObject({ format: 'json', report: { period: { from: '2025-01-01', to: '2025-12-31' } } });
  });

  it('answers CSV under a file name saying the period and the grouping', async () => {
    const answer = await useCase().getOutcomeReport.execute({
      query: { from: '2025-01-01', to: '2025-06-30', groupBy: 'program,region' },
      accept: 'text/csv',
    });
    expect(answer).toMatchObject({ format: 'csv', fileName: 'outcomes_2025-01-01_2025-06-30_by_program-region.csv' });
    if (answer.format === 'csv') expect(answer.csv.split('\r\n')[0]).toMatch(/^level,program,region,clients,/);
  });

  it('refuses the format before the period, as a problem with its code, and reads nothing', async () => {
    const { getOutcomeReport, asked } = useCase();
    const refused = await getOutcomeReport
      .execute({ query: { format: 'xml', from: 'soon' }, accept: undefined })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(HttpException);
    expect((refused as HttpException).getResponse()).toMatchObject({
      status: 400,
      type: '/v1/problems/invalid-format',
      errors: [{ pointer: '/format' }],
    });
    expect(asked).toEqual([]);
  });
});
