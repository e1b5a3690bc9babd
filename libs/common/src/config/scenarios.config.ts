import { registerAs } from '@nestjs/config';
import { ConfigError, envList } from './env';

// Training scenarios that re-create known performance problems; all off unless listed.
export const SCENARIOS = ['n-plus-one', 'cache-key-mismatch'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const scenariosConfig = registerAs('scenarios', () => {
  const listed = envList(process.env, 'SNIP_SCENARIOS');
  for (const name of listed) {
    if (!(SCENARIOS as readonly string[]).includes(name)) {
      throw new ConfigError('SNIP_SCENARIOS', `lists an unknown scenario "${name}" (known: ${SCENARIOS.join(', ')})`);
    }
  }
  return { nPlusOne: listed.includes('n-plus-one'), cacheKeyMismatch: listed.includes('cache-key-mismatch') };
});

export type ScenariosConfig = ReturnType<typeof scenariosConfig>;
