// electron-builder `afterSign` hook: notarizes the signed macOS app with Apple's notary service, but only
// when credentials are present (CI with secrets); local and unsigned builds skip it and say so.
// Credentials, either:
//   APPLE_API_KEY (path to the .p8 key), APPLE_API_KEY_ID, APPLE_API_ISSUER   (App Store Connect API key)
//   APPLE_ID, APPLE_APP_SPECIFIC_PASSWORD, APPLE_TEAM_ID                       (Apple ID)
'use strict';
const path = require('node:path');

/** The credentials @electron/notarize takes, from the environment, or null when incomplete. */
function credentials(env) {
  if (env.APPLE_API_KEY && env.APPLE_API_KEY_ID && env.APPLE_API_ISSUER) {
    return { appleApiKey: env.APPLE_API_KEY, appleApiKeyId: env.APPLE_API_KEY_ID, appleApiIssuer: env.APPLE_API_ISSUER };
  }
  if (env.APPLE_ID && env.APPLE_APP_SPECIFIC_PASSWORD && env.APPLE_TEAM_ID) {
    return { appleId: env.APPLE_ID, appleIdPassword: env.APPLE_APP_SPECIFIC_PASSWORD, teamId: env.APPLE_TEAM_ID };
  }
  return null;
}

async function notarizeHook(context, env = process.env, notarize = undefined) {
  if (context.electronPlatformName !== 'darwin') return 'skipped: not macOS';
  const creds = credentials(env);
  if (!creds) {
    console.log('  • notarization skipped: no Apple credentials in the environment');
    return 'skipped: no credentials';
  }
  const appName = context.packager.appInfo.productFilename;
  const appPath = `${context.appOutDir}/${appName}.app`;
  const run = notarize ?? require(require.resolve('@electron/notarize', { paths: [path.join(__dirname, '../desktop')] })).notarize;
  console.log(`  • notarizing ${appPath}`);
  await run({ appPath, ...creds });
  return 'notarized';
}

module.exports = notarizeHook;
module.exports.default = notarizeHook;
module.exports.credentials = credentials;
