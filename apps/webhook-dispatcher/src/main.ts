import { runEventApp } from '@passerelle/runtime';
import { webhookDispatcherApp } from './webhook-dispatcher.app';

runEventApp(webhookDispatcherApp);
