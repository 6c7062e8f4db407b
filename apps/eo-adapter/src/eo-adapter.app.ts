import type { EventAppDefinition } from '@passerelle/runtime';
import { EoAdapterModule } from './eo-adapter.module';

export const eoAdapterApp: EventAppDefinition = {
  name: 'eo-adapter',
  module: EoAdapterModule,
  topics: ['eo.service-records.v1'],
  personalData: true,
  unknownTypes: 'dead-letter',
};
