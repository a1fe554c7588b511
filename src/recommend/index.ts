/** The recommend room's front door: what other rooms may call. */
export { runRecommendOffline } from './offline.js';
export { type RecContext, recommend } from './recommend.js';
export { queueTraining, startRecommender } from './training.js';
