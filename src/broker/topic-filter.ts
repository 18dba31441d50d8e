// Topic filter matching for the ACL (MQTT 3.1.1 §4.7: `/` separates levels, `+` matches one level,
// `#` as the last level matches that level's parent and everything below it).

/** True when every topic that `requested` (a topic or a filter) can match is matched by `allowed`. */
export function filterCovers(allowed: string, requested: string): boolean {
  const a = allowed.split('/');
  const r = requested.split('/');
  for (let i = 0; i < a.length; i++) {
    const al = a[i]!;
    if (al === '#') return true; // §4.7.1.2: also matches the parent level, so r may end here
    const rl = r[i];
    if (rl === undefined) return false;
    if (rl === '#') return false; // the request reaches below what this filter allows
    if (al === '+') continue; // covers any single level, `+` included
    if (rl !== al) return false;
  }
  return r.length === a.length;
}

/** Topics starting with `$` are the server's (§4.7.2): no device may publish or subscribe to them. */
export const isServerTopic = (topic: string): boolean => topic.startsWith('$');
