import type { EventAppDefinition } from '@passerelle/runtime';
import { OwAdapterModule } from './ow-adapter.module';

export const owAdapterApp: EventAppDefinition = {
  name: 'ow-adapter',
  module: OwAdapterModule,
  topics: ['ow.case-records.v1', 'odsp.employment-records.v1'],
  personalData: true,
  unknownTypes: 'dead-letter',
};
