/**
 * The campaigns room's front door: campaigns (a template to a segment, at a time) and triggers (messages that fire
 * from data, once per person and window), both sent through the messaging room's front door.
 */
export { runCampaign } from './campaigns.js';
export { runTriggers, type TriggerRun } from './triggers/run.js';
export { TRIGGERS, type TriggerName } from './triggers/kinds.js';
