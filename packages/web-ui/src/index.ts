export type { RouterInputs, RouterOutputs } from "./api.tsx";
export {
  ApiProvider,
  type ApiTransport,
  createApiClient,
  UnauthenticatedHandler,
  useTRPC,
  useTRPCClient,
} from "./api.tsx";
export { Alert, Badge, Button, Card, Field, Input, PageHeader, Select, Spinner, Textarea } from "./components.tsx";
export { ConfirmDialog } from "./confirm-dialog.tsx";
export type { ApiIssue } from "./error-texts.ts";
export {
  type ApiFailure,
  describeError,
  type ErrorTextOptions,
  failureStatus,
  fieldErrors,
  isRefusal,
  isUnauthenticated,
  mayRetry,
  retryAfterMs,
  retryDelay,
} from "./errors.ts";
export {
  formatCalendarDate,
  formatDate,
  formatDateTime,
  formatMoney,
  formatNumber,
  formatPercent,
  fromMinor,
  toMinor,
} from "./format.ts";
export { FormatProvider, useFormat } from "./format-context.tsx";
export { createI18n, type Language, LanguageSwitch, languages, type Messages } from "./i18n.tsx";
