// MAAS wire types, key formats and constants. No I/O.
export * from './keys.ts';
export * from './wire.ts';
