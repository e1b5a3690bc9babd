// In-process tests configure a service through process.env; this sets variables for one call and puts them all back.
export async function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = new Map(Object.keys(env).map((key) => [key, process.env[key]]));
  const assign = (values: Iterable<[string, string | undefined]>) => {
    for (const [key, value] of values) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
  assign(Object.entries(env));
  try {
    return await fn();
  } finally {
    assign(saved);
  }
}
