import { runEventApp } from '@passerelle/runtime';
import { owAdapterApp } from './ow-adapter.app';

runEventApp(owAdapterApp);
