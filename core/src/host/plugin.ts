import type { PluginHost } from './host.js';

/** What a plugin declares about itself; checked when it is registered. */
export interface PluginManifest {
  /** The npm package name (or a unique name for a plugin defined in code). */
  readonly name: string;
  readonly version?: string;
  /** Semver range of @nixie/core it works with. */
  readonly core?: string;
  /** Plugins (by name) that must be registered before this one. */
  readonly dependencies?: readonly string[];
  /** JSON schema of its options in nixie.yaml. */
  readonly optionsSchema?: Record<string, unknown>;
}

/** A plugin: a name and an apply function that taps the host's hooks. */
export interface NixiePlugin {
  readonly name: string;
  readonly manifest?: PluginManifest;
  apply(host: PluginHost): void;
}
