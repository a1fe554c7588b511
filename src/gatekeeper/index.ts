/** The gatekeeper room's front door: what other rooms may call. */
export { brandView } from './brand-profile.js';
export { erasePerson } from './erase.js';
export { activeGrants, factAllowed, grant, type PersonView, selfView, viewFor } from './view.js';
