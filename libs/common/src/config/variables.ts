// Typed reads of the variables the contract defines: name, default and bounds come from it, never from the caller.
import {
  VARIABLES,
  intDefault,
  type ListVariable,
  type NameOf,
  type OptionalUrlName,
  type Reader,
  type RequiredUrlName,
  type UrlVariable,
  type ValueOf,
} from '@snip/config-contract';
import { ConfigError, envBool, envEnum, envInt, envList, envOptionalUrl, envString, envUrl, type Env } from './env';

export function readInt(name: NameOf<'int'>, reader?: Reader, env: Env = process.env): number {
  const { min, max } = VARIABLES[name];
  return envInt(env, name, intDefault(name, reader), min, max);
}

export function readBool(name: NameOf<'bool'>, env: Env = process.env): boolean {
  return envBool(env, name, VARIABLES[name].default);
}

export function readEnum<N extends NameOf<'enum'>>(name: N, env: Env = process.env): ValueOf<N> {
  const spec = VARIABLES[name];
  return envEnum(env, name, spec.values as readonly ValueOf<N>[], spec.default as ValueOf<N>);
}

export function readString(name: NameOf<'string'>, env: Env = process.env): string {
  return envString(env, name, VARIABLES[name].default);
}

/** A URL variable without a trailing slash; throws when a variable without default is unset. */
export function readUrl(name: RequiredUrlName, env: Env = process.env): string {
  const spec: UrlVariable = VARIABLES[name];
  return envUrl(env, name, spec.protocols, spec.default);
}

/** A URL variable that may be unset (no cache, or a default the caller derives). */
export function readOptionalUrl(name: OptionalUrlName, env: Env = process.env): string | undefined {
  return envOptionalUrl(env, name, VARIABLES[name].protocols);
}

/** A comma list; when the contract names the allowed items, any other item is refused. */
export function readList(name: NameOf<'list'>, env: Env = process.env): string[] {
  const spec: ListVariable = VARIABLES[name];
  const items = envList(env, name);
  if (typeof spec.items !== 'string') {
    const known = spec.items;
    const unknown = items.find((item) => !known.includes(item));
    if (unknown !== undefined) {
      throw new ConfigError(name, `lists an unknown ${spec.noun ?? 'value'} "${unknown}" (known: ${known.join(', ')})`);
    }
  }
  return items;
}
