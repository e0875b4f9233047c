// What every part of the store contract suite shares: the factory an implementation passes
// in, and running one test on a fresh store that is closed and cleaned up afterwards.
import type { Store } from './types.ts';

export interface ContractClock {
  seconds: number;
}

/** Returns a fresh, empty store whose clock reads `clock.seconds`, and a second handle on the same database. */
export type StoreFactory = (
  clock: ContractClock,
) => Promise<{ store: Store; reopen: () => Promise<Store>; cleanup: () => Promise<void> }>;

export type ContractTest = (store: Store, clock: ContractClock, reopen: () => Promise<Store>) => Promise<void>;

/** A test body for `test()`: runs `body` on a fresh store. */
export function onFreshStore(factory: StoreFactory) {
  return async (body: ContractTest): Promise<void> => {
    const clock = { seconds: 1_800_000_000 };
    const { store, reopen, cleanup } = await factory(clock);
    try {
      await body(store, clock, reopen);
    } finally {
      await store.close();
      await cleanup();
    }
  };
}
