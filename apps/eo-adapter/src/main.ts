import { runEventApp } from '@passerelle/runtime';
import { eoAdapterApp } from './eo-adapter.app';

runEventApp(eoAdapterApp);
