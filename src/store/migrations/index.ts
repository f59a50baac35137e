// The ordered list of SQL migrations; one set serves PGlite and PostgreSQL alike.
import type { Migration } from 'kysely/migration';
import * as foundation from './0001-foundation.js';
import * as directory from './0002-directory.js';
import * as directoryImport from './0003-directory-import.js';
import * as activation from './0004-activation.js';
import * as directoryImportGuardians from './0005-directory-import-guardians.js';
import * as firstConnection from './0006-first-connection.js';
import * as charters from './0007-charters.js';
import * as oidcAccountIndex from './0008-oidc-account-index.js';
import * as unicodeNameKeys from './0009-unicode-name-keys.js';
import * as attachmentReports from './0012-attachment-reports.js';
import * as consents from './0013-consents.js';
import * as auditEvents from './0014-audit-events.js';
import * as directoryFingerprints from './0015-directory-fingerprints.js';
import * as upstreamLinks from './0017-upstream-links.js';
import * as passkeys from './0018-passkeys.js';

export const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-directory': directory,
  '0003-directory-import': directoryImport,
  '0004-activation': activation,
  '0005-directory-import-guardians': directoryImportGuardians,
  '0006-first-connection': firstConnection,
  '0007-charters': charters,
  '0008-oidc-account-index': oidcAccountIndex,
  '0009-unicode-name-keys': unicodeNameKeys,
  '0012-attachment-reports': attachmentReports,
  '0013-consents': consents,
  '0014-audit-events': auditEvents,
  '0015-directory-fingerprints': directoryFingerprints,
  '0017-upstream-links': upstreamLinks,
  '0018-passkeys': passkeys,
};
