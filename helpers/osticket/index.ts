/** osTicket side of the harness: secret crypto, plugin configuration in MySQL (+ lint), the web driver. */
export { decryptOsticketSecret, encryptOsticketSecret, looksEncrypted, pluginInstanceNamespace } from './secret-crypto.ts';
export { phpMessageAtStart } from './php-output.ts';
export {
  AUTH_TARGET_LABELS, OAUTH2_INSTALL_PATHS, PLUGIN_FIELDS, createPluginTablesForTest, decodeChoice, lintPluginConfig, oauth2InstallPath, readPluginConfig, writePluginInstance,
  type AuthTarget, type PluginConfig, type PluginInstanceConfig, type PluginInstanceInput, type PluginInstanceSettings,
  type PluginLintDiagnosis, type PluginLintFinding, type Queryable, type WritePluginOptions,
} from './plugin-config.ts';
export {
  decodeEntities, findSsoLinks, loginMessage, loginThroughOsticket, parseAuthorizeRequest, proveSession, readLoginPage,
  type AuthorizeRequest, type LoginPageInfo, type OsticketLoginOptions, type OsticketLoginResult, type OsticketSide, type SessionProof, type SsoLink,
} from './web-driver.ts';
