import type { AppContext } from '../context.js';
import type { App } from './app.js';
import { brandRoutes } from '../brands/routes.js';
import { ingestRoutes } from '../ingest/routes.js';
import { catalogRoutes } from '../catalog/routes.js';
import { orderRoutes } from '../orders/routes.js';
import { peopleRoutes } from '../people/routes.js';
import { gatekeeperRoutes } from '../gatekeeper/routes.js';
import { profileRoutes } from '../profile/routes.js';
import { conversationRoutes } from '../conversation/routes.js';
import { recommendRoutes } from '../recommend/routes.js';
import { webRoutes } from '../web/routes.js';
import { voiceRoutes } from '../agent/routes.js';
import { trustRoutes } from '../trust/routes.js';
import { messagingRoutes } from '../messaging/routes.js';
import { campaignRoutes } from '../campaigns/routes.js';

/** Every domain's routes, in one list: the server only wires them. */
export const ROUTES: Array<(app: App, ctx: AppContext) => void | Promise<void>> = [
  brandRoutes,
  ingestRoutes,
  catalogRoutes,
  orderRoutes,
  peopleRoutes,
  gatekeeperRoutes,
  profileRoutes,
  conversationRoutes,
  recommendRoutes,
  trustRoutes,
  campaignRoutes,
  webRoutes,
  messagingRoutes,
  voiceRoutes,
];
