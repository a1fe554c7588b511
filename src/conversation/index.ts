/** The conversation room's front door: what other rooms may call. */
export { runUnderstandCli } from './understand/cli.js';
export { type Fact as SaidFact, factSensitivity, type Sensitivity } from './understand/types.js';
export { shortName, singular } from './wording.js';
