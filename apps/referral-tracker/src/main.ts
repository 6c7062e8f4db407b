import { runEventApp } from '@passerelle/runtime';
import { referralTrackerApp } from './referral-tracker.app';

runEventApp(referralTrackerApp);
