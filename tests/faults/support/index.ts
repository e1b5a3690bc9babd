export * from './harness';
export * from './stores';
