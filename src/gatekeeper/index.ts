/** The gatekeeper room's front door: what other rooms may call. */
export { erasePerson } from './erase.js';
export { activeGrants, factAllowed, grant, type PersonView, type Purpose, PURPOSES, selfView } from './view.js';
export { type ViewRequest, type Viewer, viewFor } from './view-for.js';
