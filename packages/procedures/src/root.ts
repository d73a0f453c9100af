import { analyticsRouter } from "./analytics/analytics.router.ts";
import { auditRouter } from "./audit/audit.router.ts";
import { campaignsRouter } from "./campaigns/campaigns.router.ts";
import { catalogRouter } from "./catalog/catalog.router.ts";
import { checkoutRouter } from "./checkout/checkout.router.ts";
import { couponsRouter } from "./coupons/coupons.router.ts";
import { customersRouter } from "./customers/customers.router.ts";
import { apiKeysRouter } from "./keys/keys.router.ts";
import { locationsRouter } from "./locations/locations.router.ts";
import { messagesRouter } from "./messages/messages.router.ts";
import { privacyRouter } from "./privacy/privacy.router.ts";
import { programmeRouter } from "./programme/programme.router.ts";
import { segmentsRouter } from "./segments/segments.router.ts";
import { staffRouter } from "./staff/staff.router.ts";
import { templatesRouter } from "./templates/templates.router.ts";
import { tenantsRouter } from "./tenants/tenants.router.ts";
import { transactionsRouter } from "./transactions/transactions.router.ts";
import { createCallerFactory, router } from "./trpc.ts";
import { webhooksRouter } from "./webhooks/webhooks.router.ts";

export const appRouter = router({
  tenants: tenantsRouter,
  customers: customersRouter,
  transactions: transactionsRouter,
  programme: programmeRouter,
  audit: auditRouter,
  checkout: checkoutRouter,
  catalog: catalogRouter,
  coupons: couponsRouter,
  apiKeys: apiKeysRouter,
  analytics: analyticsRouter,
  segments: segmentsRouter,
  privacy: privacyRouter,
  webhooks: webhooksRouter,
  templates: templatesRouter,
  campaigns: campaignsRouter,
  messages: messagesRouter,
  staff: staffRouter,
  locations: locationsRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
