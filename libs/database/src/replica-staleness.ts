/** A Postgres WAL position ("16/B374D848") as a number that compares. */
export function lsnToBigInt(lsn: string): bigint {
  const [hi, lo] = lsn.split('/');
  return (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
}

/**
 * How stale a replica is, from samples of the primary's WAL position: the replica has replayed
 * everything the primary had written at the newest sample time whose position it has reached, so
 * it is at most `now − that time` behind. An idle primary does not make the replica look stale
 * (which replay timestamps would). Undefined: it has not reached any sample kept.
 */
export function stalenessMs(samples: readonly { at: number; lsn: bigint }[], replayed: bigint, now: number): number | undefined {
  let newest: number | undefined;
  for (const s of samples) if (s.lsn <= replayed && (newest === undefined || s.at > newest)) newest = s.at;
  return newest === undefined ? undefined : Math.max(0, now - newest);
}
