export * from './constants';
export * from './variables';
export * from './markdown';
