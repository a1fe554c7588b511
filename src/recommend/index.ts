/**
 * The recommend room's front door: what other rooms may call. The rule set (`mayShow`, `constraintsFrom`) is the one
 * place that decides whether a product may be shown to a person: the recommender, the chat's catalog search, "to go
 * with it", gift ideas, messages and offers all ask it.
 */
export { allergenTag, brokenBy, type Constraint, constraintsFrom, mayShow, narrowing } from './constraints.js';
export { runRecommendOffline } from './offline.js';
export { type RecContext, type Recommendations, recommend } from './recommend.js';
export { queueTraining, startRecommender } from './training.js';
