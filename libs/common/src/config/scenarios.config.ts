import { registerAs } from '@nestjs/config';
import { readList } from './variables';

// Training scenarios that re-create known performance problems; all off unless listed.
export { SCENARIOS, type Scenario } from '@snip/config-contract';

export const scenariosConfig = registerAs('scenarios', () => {
  const listed = readList('SNIP_SCENARIOS');
  return { nPlusOne: listed.includes('n-plus-one'), cacheKeyMismatch: listed.includes('cache-key-mismatch') };
});

export type ScenariosConfig = ReturnType<typeof scenariosConfig>;
