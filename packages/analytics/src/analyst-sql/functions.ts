/**
 * Functions an analyst may not call, anywhere in a query. Each reads something other than the rows of
 * the allowed tables (files, dictionaries, Join tables, other tables' metadata, settings, the server,
 * the network), writes somewhere, or only stalls the engine. Most of them work even in read-only mode
 * (`file('/etc/passwd')` does), and the API runs analyst SQL as the application's ClickHouse user, which
 * may call them all: refusing them here is what keeps them out, in chdb and on a server alike
 * (docs/analyst-sql.md).
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

/**
 * Functions whose cost on a single row grows with the product of its inputs' lengths (or worse), computed
 * in one piece: ClickHouse checks the time limit only between blocks, so one call on two long values built
 * with repeat() or range() runs minutes past it, and chdb's one statement at a time holds every tenant's
 * analytics behind it. No setting bounds the length of a single value (max_memory_usage allows strings and
 * arrays of millions), so they are refused by name; aliases (levenshteinDistance) are listed too, since the
 * parse tree keeps the name as written. Linear ones stay: stringJaccardIndex, ngramDistance, ngramSearch,
 * byteHammingDistance, arrayJaccardIndex, the vector distances.
 */
const unboundedCostNames = new Set(
  [
    // string edit distances: a table of len(a) × len(b) cells
    "editDistance",
    "editDistanceUTF8",
    "levenshteinDistance",
    "levenshteinDistanceUTF8",
    "damerauLevenshteinDistance",
    // Jaro: a match window of half the longer string for every character
    "jaroSimilarity",
    "jaroWinklerSimilarity",
    // array edit distances
    "arrayLevenshteinDistance",
    "arrayLevenshteinDistanceWeighted",
    "arraySimilarity",
    // approximate matching compiles an automaton per distinct needle, a row's needles may differ
    "multiFuzzyMatchAny",
    "multiFuzzyMatchAnyIndex",
    "multiFuzzyMatchAllIndices",
    // every edge of one polygon against every edge of the other
    "polygonsDistanceCartesian",
    "polygonsDistanceSpherical",
  ].map((name) => name.toLowerCase()),
);

/** The reason a function is refused, or null when analysts may call it. */
export function deniedFunction(name: string): string | null {
  const lower = name.toLowerCase();
  if (deniedNames.has(lower) || deniedPrefixes.some((prefix) => lower.startsWith(prefix))) {
    return `${name}() reads or changes something outside the allowed tables, or only stalls the engine`;
  }
  if (unboundedCostNames.has(lower)) {
    return `${name}() is not available: its cost grows with the product of its inputs' lengths, past the time limit`;
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
