/** The profile room's front door: what other rooms may call. */
export {
  describeFact,
  FACT_COLUMNS,
  FACT_ORDER,
  factOut,
  factsOf,
  MONTH_NAMES,
  SIZE_WORDS,
  type NewFact,
  recordFacts,
  retireFactUse,
  retractFacts,
  type Scope,
  type StoredFact,
} from './facts.js';
export { importTraits, observeHabits } from './observe.js';
