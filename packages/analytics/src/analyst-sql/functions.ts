/**
 * Functions an analyst may not call, anywhere in a query. Each reads something other than the rows of
 * the allowed tables (files, dictionaries, Join tables, other tables' metadata, settings, the server,
 * the network), writes somewhere, or only stalls the engine. Most of them work even in read-only mode
 * (`file('/etc/passwd')` does), so refusing them here is what keeps them out in chdb; in production the
 * analyst user's missing grants refuse them again (docs/analyst-sql.md).
 *
 * Names are compared lower-cased: the parser keeps the spelling the analyst used, and a few ClickHouse
 * functions are case-insensitive.
 */
const deniedNames = new Set(
  [
    // files, tables and dictionaries by name
    "file",
    "joinGet",
    "joinGetOrNull",
    "hasColumnInTable",
    "getMaxTableNameLengthForDatabase",
    "catboostEvaluate",
    // settings, configuration and variables of the server or the session
    "getSetting",
    "getSettingOrDefault",
    "getServerSetting",
    "getMergeTreeSetting",
    "getMacro",
    "getClientHTTPHeader",
    "globalVariable",
    // who and where: users, roles, databases, queries, hosts
    "currentDatabase",
    "current_database",
    "database",
    "schema",
    "currentSchemas",
    "current_schemas",
    "currentUser",
    "current_user",
    "user",
    "session_user",
    "authenticatedUser",
    "authUser",
    "currentProfiles",
    "enabledProfiles",
    "defaultProfiles",
    "currentRoles",
    "enabledRoles",
    "defaultRoles",
    "currentQueryID",
    "current_query_id",
    "queryID",
    "query_id",
    "initialQueryID",
    "initial_query_id",
    "initialQueryStartTime",
    "initial_query_start_time",
    "connectionId",
    "connection_id",
    "hostName",
    "FQDN",
    "fullHostName",
    "displayName",
    "serverUUID",
    "uptime",
    "version",
    "revision",
    "buildId",
    "tcpPort",
    "getServerPort",
    "getOSKernelVersion",
    "shardNum",
    "shardCount",
    "zookeeperSessionUptime",
    "showCertificate",
    "transactionID",
    "transactionLatestSnapshot",
    "transactionOldestSnapshot",
    // side effects: the server log, Keeper, external services
    "logTrace",
    "generateSerialID",
    // stalls
    "sleep",
    "sleepEachRow",
  ].map((name) => name.toLowerCase()),
);

/**
 * Whole families: dictionaries, the disks, machine-code introspection, internal helpers, and the AI functions (they
 * send their arguments, the tenant's data, to an external provider; every function named `ai…` is one of them).
 */
const deniedPrefixes = ["dict", "filesystem", "addressto", "demangle", "__", "ai"];

/** The reason a function is refused, or null when analysts may call it. */
export function deniedFunction(name: string): string | null {
  const lower = name.toLowerCase();
  if (deniedNames.has(lower) || deniedPrefixes.some((prefix) => lower.startsWith(prefix))) {
    return `${name}() reads or changes something outside the allowed tables, or only stalls the engine`;
  }
  return null;
}

/** IN and its relatives: their right side may be a subquery or a list, never a bare table name. */
export const membershipFunctions = new Set(
  [
    "in",
    "notIn",
    "globalIn",
    "globalNotIn",
    "nullIn",
    "notNullIn",
    "globalNullIn",
    "globalNotNullIn",
    "inIgnoreSet",
    "notInIgnoreSet",
    "globalInIgnoreSet",
    "globalNotInIgnoreSet",
    "nullInIgnoreSet",
    "notNullInIgnoreSet",
    "globalNullInIgnoreSet",
    "globalNotNullInIgnoreSet",
  ].map((name) => name.toLowerCase()),
);
