export * from './tracing';
export * from './metrics';
export * from './attributes';
export { peer, registerPeer, type Peer } from './span-names';
