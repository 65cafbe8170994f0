/**
 * Names of the `<env>-cutover` stack outputs. The stack writes them and the commands read them (with `cdktf
 * output`), so both import this one light module instead of spelling the names twice.
 */

/** Output names of `<env>-cutover`. */
export const CUTOVER_OUTPUTS = {
  /** URL users reach: weighted over both colors. */
  liveUrl: 'live_url',
  /** URL of the test listener: the idle color only (absent under hard-cutover and rolling). */
  testUrl: 'test_url',
  /** Colors serving users, most traffic first, joined by `+`. */
  liveColor: 'live_color',
  /** Percent of traffic per color: `{ blue, green }`. */
  weights: 'weights',
} as const;
