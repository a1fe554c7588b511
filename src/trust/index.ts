/**
 * The trust room's front door: trust between a person and a brand, with its history, and the fact uses a person
 * retired for a brand ("too creepy"). Other rooms record signals and read trust only through these.
 */
export { recordTrustSignal, recordTrustSignals } from './record.js';
export { type Trust, trustBetween } from './read.js';
export { isFactUseRetired, retiredFactIds } from './retired.js';
export { SIGNAL_KINDS, type SignalKind, type TrustSignal } from './signals.js';
export type { TrustLevel } from './score.js';
