/** "an admin key", "a pos key": the article a role's name takes (each starts with the sound it is spelt with). */
const withArticle = (role: string) => `${/^[aeiou]/i.test(role) ? "an" : "a"} ${role}`;

/**
 * Why a key of one role was refused, in the same words on every edge (gateway, tRPC, file routes):
 * "an app key cannot do this; it needs a pos or kiosk key".
 */
export const roleRefusal = (role: string, allowed: readonly string[]): string =>
  `${withArticle(role)} key cannot do this; it needs ${withArticle(allowed.join(" or "))} key`;
