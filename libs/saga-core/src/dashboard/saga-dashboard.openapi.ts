/** The OpenAPI tag of the dashboard's JSON API. */
export const SAGA_DASHBOARD_TAG = 'dashboard';

/**
 * The tag's description, for an app's OpenAPI document:
 * `tags: { ...SAGA_DASHBOARD_OPENAPI_TAGS, ...yours }`.
 */
export const SAGA_DASHBOARD_OPENAPI_TAGS: Readonly<Record<string, string>> = {
  [SAGA_DASHBOARD_TAG]:
    "The operator dashboard's JSON API: runs, one run, what needs attention, the system, live changes",
};
