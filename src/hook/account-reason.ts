/**
 * What the account hooks log about the contact they chose (or did not). A leaf module, so that
 * `log.ts` can name these reasons without importing the hooks that produce them.
 */
import type { EmailTarget } from './sync.js';

/**
 * `linked_contact`: the id kept on the account, its email verified; the `EmailTarget`s as after
 * registration; `multiple_matches`: several contacts have the email (the deletion acts on none);
 * `already_inactive`: nothing left to deactivate; `contract_mismatch`: no path held an email or a
 * link; `link_unverified`: a link but no email to verify it against; `action_none`:
 * `deletion.action` is `none`.
 */
export type AccountReason = 'linked_contact' | EmailTarget | 'multiple_matches' | 'already_inactive' | 'contract_mismatch' | 'link_unverified' | 'action_none';
export type AccountOutcome = 'deactivated' | 'logged';
