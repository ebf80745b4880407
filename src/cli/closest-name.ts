/** "Did you mean": one implementation, shared with the hook's config errors. */
export { closestName } from '../hook/closest-name.js';
