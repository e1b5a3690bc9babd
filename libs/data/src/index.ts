export * from './database.config';
export * from './data-source';
export * from './database.module';
export { migrate } from './migrate';
export * from './short-code';
export * from './query';
