/** What every extractor returns for one clause. */
import type { Fact, FactKind } from '../types.js';

// Every extractor (diet.ts, size.ts, likes.ts, budget.ts, dates.ts, household.ts, location.ts) returns facts for one clause; `who` is the clause subject.

/** `settled`: already final, not to be turned into a retraction by "done with"/"anymore" in the clause. */
export type Draft = {
  about: string;
  kind: FactKind;
  value: Fact['value'];
  polarity: 'positive' | 'negative';
  settled?: boolean;
};
