// Group commit's scheduling: what is pushed during one turn of the event loop is handed over
// together, after that turn's I/O phase, so the requests read in it share one statement.
export function perTurn<T>(flush: (items: T[]) => void): (item: T) => void {
  let pending: T[] = [];
  const run = () => {
    const items = pending;
    pending = [];
    flush(items);
  };
  return (item) => {
    if (pending.length === 0) setImmediate(run);
    pending.push(item);
  };
}
