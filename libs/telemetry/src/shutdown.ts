/** The last span flush at shutdown is cut off after this (part of a pod's grace period). */
export const TELEMETRY_SHUTDOWN_TIMEOUT_MS = 10_000;
