import type { Rule } from '../rule.js';
import { rule as consentAfterRefusal } from './consent-after-refusal.js';
import { rule as consentImplicit } from './consent-implicit.js';
import { rule as consentNoDialog } from './consent-no-dialog.js';
import { rule as consentPreCollect } from './consent-pre-collect.js';
import { rule as consentPrePermission } from './consent-pre-permission.js';
import { rule as doubleListMissing } from './double-list-missing.js';
import { rule as downloadDeceptive } from './download-deceptive.js';
import { rule as integrityRepackaged } from './integrity-repackaged.js';
import { rule as kidsIdentifiers } from './kids-identifiers.js';
import { rule as permBundled } from './perm-bundled.js';
import { rule as permBypass } from './perm-bypass.js';
import { rule as permForced } from './perm-forced.js';
import { rule as permNoPurpose } from './perm-no-purpose.js';
import { rule as permReprompt } from './perm-reprompt.js';
import { rule as policyUnreachable } from './policy-unreachable.js';
import { rule as scopeBackground } from './scope-background.js';
import { rule as scopeFrequency } from './scope-frequency.js';
import { rule as scopeUndeclaredData } from './scope-undeclared-data.js';
import { rule as scopeUndeclaredRecipient } from './scope-undeclared-recipient.js';
import { rule as scopeUndeclaredSdk } from './scope-undeclared-sdk.js';
import { rule as startSelf } from './start-self.js';
import { rule as transportCleartext } from './transport-cleartext.js';
import { rule as uiShakeJump } from './ui-shake-jump.js';
import { rule as uiUnclosablePopup } from './ui-unclosable-popup.js';

/** Every rule, in the order of product/evidence/catalogue/rule-catalogue.yaml (the order `consentry rules` lists). */
export const ALL_RULES: readonly Rule[] = [
  consentNoDialog,
  policyUnreachable,
  consentPreCollect,
  consentPrePermission,
  consentImplicit,
  consentAfterRefusal,
  permReprompt,
  permForced,
  permBundled,
  permNoPurpose,
  permBypass,
  scopeUndeclaredData,
  scopeUndeclaredSdk,
  scopeUndeclaredRecipient,
  scopeFrequency,
  scopeBackground,
  doubleListMissing,
  transportCleartext,
  startSelf,
  uiUnclosablePopup,
  uiShakeJump,
  downloadDeceptive,
  integrityRepackaged,
  kidsIdentifiers,
];
