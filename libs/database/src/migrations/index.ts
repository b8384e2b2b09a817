import { InitialSchema1763884800000 } from './1763884800000-initial-schema';

/** Every migration, oldest first. Add new ones at the end. */
export const MIGRATIONS = [InitialSchema1763884800000];
