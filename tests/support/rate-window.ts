// Rate-limit windows are fixed and aligned to the clock (window = floor(now / length)). A test against
// real processes that must stay inside one window picks a length whose current window has room left,
// instead of racing the boundary.

/** A window length of at least `atLeast` seconds whose current window still has more than `roomSeconds` to run. */
export function windowWithRoom(roomSeconds: number, atLeast = 3600, now = Date.now()): number {
  const nowSeconds = Math.floor(now / 1000);
  for (let length = atLeast; ; length++) {
    if (length - (nowSeconds % length) > roomSeconds) return length;
  }
}
