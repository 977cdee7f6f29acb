/** Metadata key of the scope a route needs (separate file: the guard and the decorator both import it). */
export const REQUIRED_SCOPE = 'signalgate:required-scope';
