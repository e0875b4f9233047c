// MAAS wire types, key formats and constants. No I/O.
export * from './keys.ts';
export * from './wire.ts';
export * from './hardware.ts';
export * as lifecycle from './lifecycle.ts';
export { LifecycleError, type NodeChanges, type Schedule, type Step, type TransitionKind } from './lifecycle.ts';
export * from './machine.ts';
export * from './node-status.ts';
export * from './storage-constraint.ts';
