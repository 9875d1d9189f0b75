import type { NixiePlugin, PluginHost } from '@nixie/core';

/** Used for every tap, so failures and traces name this plugin. */
export const PLUGIN_NAME = '@nixie/_template';

/** Options this plugin reads from `plugins: { '@nixie/_template': {...} }` in nixie.yaml. */
export interface TemplateOptions {
  greeting: string;
}

const plugin: NixiePlugin = {
  name: PLUGIN_NAME,
  manifest: {
    name: PLUGIN_NAME,
    core: '^0.1.0',
    optionsSchema: {
      type: 'object',
      additionalProperties: false,
      properties: { greeting: { type: 'string', default: 'hello' } },
    },
  },
  apply(host: PluginHost): void {
    const opts = host.pluginOptions<TemplateOptions>(PLUGIN_NAME);
    host.hooks.afterBoot.tapPromise(PLUGIN_NAME, async () => {
      host.log.debug(`${PLUGIN_NAME}: ${opts.greeting}`);
    });
    // A decoder plugin taps host.hooks.registerDecoders; a metric source, registerSources;
    // an exporter, registerExporters; a data-path plugin, onRecords or processRecords.for(protocol).
  },
};

export default plugin;
