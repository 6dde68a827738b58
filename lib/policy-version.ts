import versionFile from '@/generated/policy-version.json';

/**
 * The policy version: a SHA-256 over the sources in policies/, computed at install
 * and build time by scripts/policy-version.mjs. Recorded in every audit event and
 * shown in the footer and by /api/health.
 */
export const POLICY_VERSION: string = versionFile.version;
export const POLICY_VERSION_SHORT: string = versionFile.short;
