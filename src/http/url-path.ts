/**
 * A request URL's path, without its query. indexOf and slice rather than split('?'), which builds an array on
 * every call: this runs for every problem answered and for every request logged without a route, refusals
 * under a flood included.
 */
export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
