/** This core's version, checked against plugin manifests' `core` ranges. Keep in step with package.json. */
export const CORE_VERSION = '0.1.0';
